// Pure evaluation: windows of recent values per series, aggregates, rates, and the per rule×series
// state machine ok → pending → firing → ok. No I/O and no clock of its own, so timeline tests can
// drive it with any times.
import { compare, type Comparator } from '../../shared/alerting/index.js';

/** Recent (ts, value) pairs of one series, trimmed to the longest window a rule needs. */
export class Window {
  private ts: number[] = [];
  private values: number[] = [];

  add(ts: number, value: number, keepMs: number): void {
    // Samples normally arrive in order; a late one is inserted where it belongs.
    let i = this.ts.length;
    while (i > 0 && this.ts[i - 1]! > ts) i--;
    if (this.ts[i - 1] === ts) this.values[i - 1] = value;
    else {
      this.ts.splice(i, 0, ts);
      this.values.splice(i, 0, value);
    }
    const cutoff = this.ts[this.ts.length - 1]! - keepMs;
    let drop = 0;
    while (drop < this.ts.length - 1 && this.ts[drop]! < cutoff) drop++;
    if (drop) {
      this.ts.splice(0, drop);
      this.values.splice(0, drop);
    }
  }

  get size(): number {
    return this.ts.length;
  }

  last(): { ts: number; value: number } | null {
    const n = this.ts.length;
    return n ? { ts: this.ts[n - 1]!, value: this.values[n - 1]! } : null;
  }

  /** Values with ts in (latest − windowMs, latest]. */
  private since(windowMs: number): { ts: number[]; values: number[] } {
    const end = this.ts[this.ts.length - 1]!;
    let i = this.ts.length - 1;
    while (i > 0 && this.ts[i - 1]! > end - windowMs) i--;
    return { ts: this.ts.slice(i), values: this.values.slice(i) };
  }

  aggregate(kind: 'last' | 'avg' | 'min' | 'max', windowMs: number): number | null {
    if (!this.ts.length) return null;
    if (kind === 'last' || windowMs <= 0) return this.values[this.values.length - 1]!;
    const { values } = this.since(windowMs);
    if (kind === 'min') return Math.min(...values);
    if (kind === 'max') return Math.max(...values);
    return values.reduce((a, b) => a + b, 0) / values.length;
  }

  /** Change per second across the window; null until two samples span some time. */
  rate(windowMs: number): number | null {
    if (this.ts.length < 2) return null;
    const { ts, values } = this.since(windowMs);
    if (ts.length < 2) return null;
    const seconds = (ts[ts.length - 1]! - ts[0]!) / 1000;
    return seconds > 0 ? (values[values.length - 1]! - values[0]!) / seconds : null;
  }
}

/** The opposite comparison, for hysteresis: a > 90 alert with clear 80 clears when value <= 80. */
export function clearedBy(op: Comparator, value: number, clear: number): boolean {
  const inverse: Record<Comparator, Comparator> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>', '==': '!=', '!=': '==' };
  return compare(inverse[op], value, clear);
}

export type StateName = 'ok' | 'pending' | 'firing';

export interface Step {
  state: StateName;
  since: number;
  /** The alert starts firing now. */
  fire: boolean;
  /** The alert stops firing now (it was firing before). */
  clear: boolean;
}

/**
 * One evaluation. `breached`: the condition holds; `cleared`: the value is past the clear threshold
 * (equal to !breached without hysteresis). A firing alert stays firing until cleared.
 */
export function step(prev: { state: StateName; since: number }, breached: boolean, cleared: boolean, now: number, forMs: number): Step {
  if (prev.state === 'firing') {
    return cleared ? { state: 'ok', since: now, fire: false, clear: true } : { ...prev, fire: false, clear: false };
  }
  if (!breached) return { state: 'ok', since: now, fire: false, clear: false };
  const since = prev.state === 'pending' ? prev.since : now;
  return now - since >= forMs
    ? { state: 'firing', since: now, fire: true, clear: false }
    : { state: 'pending', since, fire: false, clear: false };
}

/** Fills {{host}}, {{value}}, {{labels.mount}}… in a rule's description. */
export function fillTemplate(template: string, vars: Record<string, string | number | Record<string, string>>): string {
  return template.replace(/\{\{\s*([a-zA-Z_][\w.]*)\s*\}\}/g, (whole, path: string) => {
    const [head, key] = path.split('.', 2) as [string, string | undefined];
    const v = vars[head];
    if (v === undefined) return whole;
    if (typeof v === 'object') return key !== undefined && v[key] !== undefined ? v[key]! : whole;
    return typeof v === 'number' ? String(Math.round(v * 100) / 100) : v;
  });
}
