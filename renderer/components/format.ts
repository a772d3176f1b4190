// Numbers as people read them.
import type { MetricUnit } from '../../shared/metrics.js';

/** `digits`: decimals to show (default: none from 100 up, else one). */
export function formatBytes(n: number, digits?: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = Math.abs(n);
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const d = digits ?? (v >= 100 || i === 0 ? 0 : 1);
  return `${n < 0 ? '-' : ''}${v.toFixed(d)} ${units[i]}`;
}

export const formatPercent = (v: number, digits?: number) => `${v.toFixed(digits ?? (v >= 10 || Number.isInteger(v) ? 0 : 1))}%`;

/** A metric's value in its unit; `digits` asks for that many decimals where the default would round more. */
export function formatValue(unit: MetricUnit | undefined, v: number, digits?: number): string {
  switch (unit) {
    case 'percent':
      return formatPercent(v, digits);
    case 'bytes':
      return formatBytes(v, digits);
    case 'bytes/s':
      return `${formatBytes(v, digits)}/s`;
    case 'seconds':
      return digits === undefined ? formatDuration(v * 1000) : `${v.toFixed(Math.max(0, digits - 1))} s`;
    default:
      return Number.isInteger(v) ? String(v) : v.toFixed(digits ?? 2);
  }
}

/**
 * A chart axis's tick labels: as short as they can be while every tick reads differently, so a
 * narrow range (memory moving within 1.4 GiB) is not labelled "1.4 GiB" three times.
 */
export function formatTicks(unit: MetricUnit | undefined, ticks: readonly number[]): string[] {
  let labels: string[] = [];
  for (const digits of [undefined, 1, 2, 3, 4]) {
    labels = ticks.map((v) => formatValue(unit, v, digits));
    if (new Set(labels).size === labels.length) break;
  }
  return labels;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function formatAgo(ts: number | null, now = Date.now()): string {
  if (ts === null) return 'never';
  const d = now - ts;
  return d < 5_000 ? 'just now' : `${formatDuration(d)} ago`;
}

export const formatTime = (ts: number) => new Date(ts).toLocaleString();
