// The batches bench/ingest.ts posts: one host's agent cycle in the wire format of shared/protocol
// (columnar, one sample per series), ~150 catalog series with labels varied per host, gzipped.
import { gzipSync } from 'node:zlib';

interface SeriesShape {
  /** `{"name":…,"labels":{…},"ts":[` — the constant part of one series. */
  head: string;
  value: () => number;
}

const pct = () => Math.round(Math.random() * 10_000) / 100;
const bytes = (max: number) => () => Math.round(Math.random() * max);

/** ~150 catalog series for host i: CPU per core, memory, swap, file systems, block devices, NICs, load, system, custom. */
export function hostShape(i: number): SeriesShape[] {
  const out: SeriesShape[] = [];
  const add = (name: string, labels: Record<string, string> | null, value: () => number) =>
    out.push({ head: `{"name":"${name}",${labels ? `"labels":${JSON.stringify(labels)},` : ''}"ts":[`, value });
  const cpus = ['total', ...Array.from({ length: 16 }, (_, c) => `cpu${c}`)];
  for (const cpu of cpus) for (const m of ['usage', 'user', 'system', 'iowait', 'steal']) add(`cpu.${m}`, { cpu }, pct);
  for (const m of ['total', 'used', 'available']) add(`mem.${m}`, null, bytes(64e9));
  add('mem.used_percent', null, pct);
  for (const m of ['total', 'used']) add(`swap.${m}`, null, bytes(8e9));
  add('swap.used_percent', null, pct);
  const disks = [
    ['/', 'nvme0n1p2', 'ext4'],
    ['/boot', 'nvme0n1p1', 'vfat'],
    [`/srv/data${i % 4}`, 'sda1', 'xfs'],
  ] as const;
  for (const [mount, device, fstype] of disks) {
    for (const m of ['total', 'used']) add(`disk.${m}`, { mount, device, fstype }, bytes(2e12));
    for (const m of ['used_percent', 'inodes_used_percent']) add(`disk.${m}`, { mount, device, fstype }, pct);
  }
  for (const device of ['nvme0n1', 'sda', `dm-${i % 3}`]) {
    for (const m of ['read_bytes', 'write_bytes']) add(`disk.${m}`, { device }, bytes(5e8));
    for (const m of ['reads', 'writes']) add(`disk.${m}`, { device }, bytes(5e4));
    add('disk.busy_percent', { device }, pct);
  }
  for (const iface of ['eth0', i % 2 ? 'eth1' : 'bond0', 'docker0']) {
    for (const m of ['rx_bytes', 'tx_bytes']) add(`net.${m}`, { iface }, bytes(1.25e9));
    for (const m of ['rx_packets', 'tx_packets']) add(`net.${m}`, { iface }, bytes(1e6));
    for (const m of ['rx_errors', 'tx_errors']) add(`net.${m}`, { iface }, bytes(3));
  }
  for (const m of ['1', '5', '15']) add(`load.${m}`, null, () => Math.round(Math.random() * 1600) / 100);
  add('system.uptime', null, bytes(1e7));
  add('system.processes', null, bytes(900));
  add('system.procs_running', null, bytes(20));
  add('agent.dropped_samples', null, () => 0);
  for (const route of ['/api', '/login', '/static', '/search', '/upload', '/health'])
    add('custom.app_requests', { route, service: `svc${i % 5}` }, bytes(5000));
  return out;
}

/** Builds gzip bodies for a fleet; batch ids are unique per (run, host, k). */
export function batchFactory(hosts: number, runId: string) {
  const shapes = Array.from({ length: hosts }, (_, i) => hostShape(i));
  return {
    series: shapes[0]!.length,
    build(h: number, k: number, ts: number): Buffer {
      const series = shapes[h]!.map((s) => `${s.head}${ts}],"values":[${s.value()}]}`).join(',');
      const json = `{"v":1,"batchId":"bench-${runId}-${h}-${k}","agent":{"version":"0.1.0-bench","intervalMs":10000},"series":[${series}],"events":[]}`;
      // Level 1 keeps the pre-build short; the server's gunzip costs about the same as for the agent's level 6.
      return gzipSync(json, { level: 1 });
    },
  };
}
