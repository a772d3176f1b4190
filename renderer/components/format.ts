// Numbers as people read them.
import type { MetricUnit } from '../../shared/metrics.js';

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = Math.abs(n);
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${n < 0 ? '-' : ''}${v >= 100 || i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

export const formatPercent = (v: number) => `${v.toFixed(v >= 10 ? 0 : 1)}%`;

export function formatValue(unit: MetricUnit | undefined, v: number): string {
  switch (unit) {
    case 'percent':
      return formatPercent(v);
    case 'bytes':
      return formatBytes(v);
    case 'bytes/s':
      return `${formatBytes(v)}/s`;
    case 'seconds':
      return formatDuration(v * 1000);
    default:
      return Number.isInteger(v) ? String(v) : v.toFixed(2);
  }
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
