// Evaluates rules on the stream: each committed batch updates the windows of the series rules
// watch, and the per rule×host×series state machine decides when an alert fires or clears.
// Heartbeat rules run on a timer instead (silence produces no batches). Only transitions touch the
// database, so a pending "for" and a firing alert survive a restart without a write per sample.
import type { RuleSpec } from '../../shared/alerting/index.js';
import { compare } from '../../shared/alerting/index.js';
import { canonicalLabels, matchesLabels } from '../store/labels.js';
import type { ConfigRecord, RuleState } from '../store/alerting/types.js';
import type { BatchWrite, Host } from '../store/types.js';
import { clearedBy, fillTemplate, step, Window, type StateName } from './evaluate.js';
import { fingerprint, type Incidents } from './incidents.js';
import type { EngineDeps } from './types.js';

type RuleRecord = ConfigRecord<RuleSpec>;
interface Compiled {
  rec: RuleRecord;
  pattern?: RegExp;
  source?: RegExp;
}

/** How long this instance counts as the last to evaluate a host (longer than any agent interval). */
const HANDLER_TTL_MS = 10 * 60_000;
/** Samples may arrive this late; a rebuilt window reaches back this much further. */
const RESYNC_SLACK_MS = 60_000;
const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
const key = (ruleId: string, hostId: string, seriesKey: string) => `${ruleId}|${hostId}|${seriesKey}`;

export class Evaluator {
  private rules: Compiled[] = [];
  private states = new Map<string, { state: StateName; since: number; value: number | null }>();
  private windows = new Map<string, Window>();
  private hosts = new Map<string, Host>();

  constructor(
    private d: EngineDeps,
    private incidents: Incidents,
  ) {}

  async load(): Promise<void> {
    const rules = await this.d.alerting.listConfig<RuleSpec>('rule');
    this.rules = rules.filter((r) => r.spec.enabled).map((rec) => this.compile(rec));
    const live = new Set(rules.map((r) => r.id));
    this.states.clear();
    for (const s of await this.d.alerting.ruleStates()) {
      if (live.has(s.ruleId)) this.states.set(key(s.ruleId, s.hostId, s.seriesKey), { state: s.state, since: s.since, value: s.value });
    }
    await this.refreshHosts();
  }

  async refreshHosts(): Promise<Host[]> {
    const hosts = await this.d.store.listHosts();
    this.hosts = new Map(hosts.map((h) => [h.id, h]));
    return hosts;
  }

  private compile(rec: RuleRecord): Compiled {
    const r = rec.spec;
    return r.kind === 'event' ? { rec, pattern: new RegExp(r.pattern), ...(r.source ? { source: new RegExp(r.source) } : {}) } : { rec };
  }

  private inScope(r: RuleSpec, h: Host): boolean {
    if (r.scope.hosts?.length && !r.scope.hosts.includes(h.name)) return false;
    return matchesLabels(h.labels, r.scope.labels);
  }

  /** Evaluates a committed batch against every rule whose scope takes in its host. */
  async onBatch(b: BatchWrite): Promise<void> {
    let host = this.hosts.get(b.hostId);
    if (!host) host = (await this.refreshHosts()).find((h) => h.id === b.hostId);
    if (!host) return;
    host.lastSeenAt = Math.max(host.lastSeenAt ?? 0, b.receivedAt);
    if (this.rules.length && (await this.d.coordination.takeOver(`eval:${host.id}`, HANDLER_TTL_MS))) await this.resync(host);
    for (const { rec, pattern, source } of this.rules) {
      const r = rec.spec;
      if (!this.inScope(r, host)) continue;
      if (r.kind === 'heartbeat') await this.transition(rec, host, '', false, true, null);
      else if (r.kind === 'event') {
        for (const e of b.events) {
          if (r.eventKind && e.kind !== r.eventKind) continue;
          if (source && !source.test(e.source)) continue;
          if (r.minLevel && LEVELS.indexOf(e.level ?? 'info') < LEVELS.indexOf(r.minLevel)) continue;
          if (pattern!.test(e.message)) await this.raise(rec, host, {}, null, { message: e.message, source: e.source });
        }
      } else {
        for (const s of b.series) {
          if (s.name !== r.metric || !matchesLabels(s.labels, r.match)) continue;
          await this.evaluateSeries(rec, host, s);
        }
      }
    }
  }

  /**
   * Another instance evaluated this host since we last did (team mode behind a load balancer), or we
   * never did (just started): take its rule states from the database and rebuild its windows from the
   * stored samples, so a "for" or an average spans batches whichever instance received them.
   */
  private async resync(host: Host): Promise<void> {
    const now = this.d.clock.now();
    for (const k of [...this.states.keys()]) if (k.split('|')[1] === host.id) this.states.delete(k);
    for (const st of await this.d.alerting.ruleStates(host.id)) {
      if (this.rules.some((c) => c.rec.id === st.ruleId)) this.states.set(key(st.ruleId, host.id, st.seriesKey), st);
    }
    for (const { rec } of this.rules) {
      const r = rec.spec;
      if ((r.kind !== 'threshold' && r.kind !== 'rate') || !this.inScope(r, host)) continue;
      if (r.kind === 'threshold' && (r.aggregate === 'last' || !r.window)) continue;
      const keepMs = Math.max(r.window, 1000);
      const series = await this.d.store.querySeries({
        hostId: host.id,
        metric: r.metric,
        ...(r.match ? { labels: r.match } : {}),
        from: now - keepMs - RESYNC_SLACK_MS,
        to: now + 1,
        stepMs: 1,
        source: 'raw',
      });
      for (const s of series) {
        if (!matchesLabels(s.labels, r.match)) continue;
        const w = new Window();
        for (const p of s.points) w.add(p.ts, p.avg, keepMs);
        this.windows.set(key(rec.id, host.id, canonicalLabels(s.labels)), w);
      }
    }
  }

  private async evaluateSeries(rec: RuleRecord, host: Host, s: BatchWrite['series'][number]): Promise<void> {
    const r = rec.spec;
    if (r.kind !== 'threshold' && r.kind !== 'rate') return;
    const seriesKey = canonicalLabels(s.labels);
    const k = key(rec.id, host.id, seriesKey);
    let w = this.windows.get(k);
    if (!w) this.windows.set(k, (w = new Window()));
    for (let i = 0; i < s.ts.length; i++) w.add(s.ts[i]!, s.values[i]!, Math.max(r.window, 1000));
    const value = r.kind === 'rate' ? w.rate(r.window) : w.aggregate(r.aggregate, r.window);
    if (value === null) return;
    const breached = compare(r.op, value, r.value);
    const cleared = r.kind === 'threshold' && r.clear !== undefined ? clearedBy(r.op, value, r.clear) : !breached;
    await this.transition(rec, host, seriesKey, breached, cleared, value, s.labels);
  }

  /** Heartbeat rules: a host silent for longer than `after` is down. */
  async checkHeartbeats(): Promise<void> {
    const now = this.d.clock.now();
    const heartbeatRules = this.rules.filter((c) => c.rec.spec.kind === 'heartbeat');
    if (!heartbeatRules.length) return;
    for (const host of await this.refreshHosts()) {
      for (const { rec } of heartbeatRules) {
        const r = rec.spec;
        if (r.kind !== 'heartbeat' || !this.inScope(r, host)) continue;
        const silentFor = now - (host.lastSeenAt ?? host.createdAt);
        await this.transition(rec, host, '', silentFor > r.after, silentFor <= r.after, Math.round(silentFor / 1000));
      }
    }
  }

  private async transition(
    rec: RuleRecord,
    host: Host,
    seriesKey: string,
    breached: boolean,
    cleared: boolean,
    value: number | null,
    labels: Record<string, string> = {},
  ): Promise<void> {
    const now = this.d.clock.now();
    const k = key(rec.id, host.id, seriesKey);
    const prev = this.states.get(k) ?? { state: 'ok' as const, since: now, value: null };
    const next = step(prev, breached, cleared, now, rec.spec.kind === 'threshold' || rec.spec.kind === 'rate' ? rec.spec.for : 0);
    if (next.state === prev.state && !next.fire) return;
    const state: RuleState = {
      ruleId: rec.id,
      hostId: host.id,
      seriesKey,
      state: next.state === 'ok' ? 'pending' : next.state,
      since: next.since,
      value,
    };
    if (next.state === 'ok') {
      this.states.delete(k);
      await this.d.alerting.clearRuleState(rec.id, host.id, seriesKey);
    } else {
      this.states.set(k, { state: next.state, since: next.since, value });
      await this.d.alerting.setRuleState(state, now);
    }
    if (next.fire) await this.raise(rec, host, labels, value, {});
    if (next.clear && rec.spec.autoResolve)
      await this.incidents.resolveFingerprint(fingerprint(rec.id, host.id, seriesKey), 'system', 'auto');
  }

  private async raise(
    rec: RuleRecord,
    host: Host,
    seriesLabels: Record<string, string>,
    value: number | null,
    extra: Record<string, string>,
  ): Promise<void> {
    const r = rec.spec;
    const seriesKey = r.kind === 'threshold' || r.kind === 'rate' ? canonicalLabels(seriesLabels) : '';
    const vars = {
      host: host.name,
      rule: rec.name,
      value: value ?? '',
      threshold: 'value' in r ? r.value : '',
      metric: 'metric' in r ? r.metric : '',
      labels: { ...host.labels, ...seriesLabels },
      ...extra,
    };
    const where = Object.values(seriesLabels).length
      ? ` (${Object.entries(seriesLabels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')})`
      : '';
    await this.incidents.trigger(
      {
        fingerprint: fingerprint(rec.id, host.id, seriesKey),
        source: 'rule',
        ruleId: rec.id,
        hostId: host.id,
        dedupKey: null,
        title: `${rec.name} on ${host.name}${where}`,
        description: fillTemplate(r.description || defaultDescription(r), vars),
        severity: r.severity,
        labels: { ...r.labels, ...seriesLabels },
        value,
        policy: r.policy ?? null,
      },
      { hostName: host.name, hostLabels: host.labels, ruleName: rec.name },
    );
  }
}

function defaultDescription(r: RuleSpec): string {
  switch (r.kind) {
    case 'threshold':
      return `{{metric}} is {{value}} (${r.aggregate}${r.window ? ` over ${r.window / 1000}s` : ''} ${r.op} {{threshold}}) on {{host}}`;
    case 'rate':
      return `{{metric}} changes by {{value}}/s (${r.op} {{threshold}}) on {{host}}`;
    case 'heartbeat':
      return '{{host}} has not reported for {{value}} s';
    case 'event':
      return '{{host}}: {{message}}';
  }
}
