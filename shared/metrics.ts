// The catalog of metrics the agent reports. Ingest accepts these and any name under `custom.`;
// other names are dropped per series (and counted in the ack) so a newer agent keeps working
// against an older control plane. Rules (engine) validate metric names against this list too.

export type MetricUnit = 'percent' | 'bytes' | 'bytes/s' | 'ops/s' | 'packets/s' | 'errors/s' | 'seconds' | 'count' | 'load';

export interface MetricInfo {
  unit: MetricUnit;
  help: string;
  /** Label keys a series of this metric carries. */
  labels: readonly string[];
}

const m = (unit: MetricUnit, help: string, ...labels: string[]): MetricInfo => ({ unit, help, labels });

export const METRICS = {
  'cpu.usage': m('percent', 'CPU busy time (100 − idle)', 'cpu'),
  'cpu.user': m('percent', 'CPU time in user mode (incl. nice)', 'cpu'),
  'cpu.system': m('percent', 'CPU time in kernel mode (incl. irq, softirq)', 'cpu'),
  'cpu.iowait': m('percent', 'CPU time waiting for I/O', 'cpu'),
  'cpu.steal': m('percent', 'CPU time stolen by the hypervisor', 'cpu'),
  'mem.total': m('bytes', 'Physical memory'),
  'mem.used': m('bytes', 'Memory in use (total − available)'),
  'mem.available': m('bytes', 'Memory available for new work'),
  'mem.used_percent': m('percent', 'Memory in use'),
  'swap.total': m('bytes', 'Swap size'),
  'swap.used': m('bytes', 'Swap in use'),
  'swap.used_percent': m('percent', 'Swap in use'),
  'disk.total': m('bytes', 'File system size', 'mount', 'device', 'fstype'),
  'disk.used': m('bytes', 'File system space used', 'mount', 'device', 'fstype'),
  'disk.used_percent': m('percent', 'File system space used', 'mount', 'device', 'fstype'),
  'disk.inodes_used_percent': m('percent', 'File system inodes used', 'mount', 'device', 'fstype'),
  'disk.read_bytes': m('bytes/s', 'Bytes read from the block device', 'device'),
  'disk.write_bytes': m('bytes/s', 'Bytes written to the block device', 'device'),
  'disk.reads': m('ops/s', 'Read operations completed', 'device'),
  'disk.writes': m('ops/s', 'Write operations completed', 'device'),
  'disk.busy_percent': m('percent', 'Time the device had I/O in flight', 'device'),
  'net.rx_bytes': m('bytes/s', 'Bytes received', 'iface'),
  'net.tx_bytes': m('bytes/s', 'Bytes sent', 'iface'),
  'net.rx_packets': m('packets/s', 'Packets received', 'iface'),
  'net.tx_packets': m('packets/s', 'Packets sent', 'iface'),
  'net.rx_errors': m('errors/s', 'Receive errors', 'iface'),
  'net.tx_errors': m('errors/s', 'Transmit errors', 'iface'),
  'load.1': m('load', 'Load average over 1 minute'),
  'load.5': m('load', 'Load average over 5 minutes'),
  'load.15': m('load', 'Load average over 15 minutes'),
  'system.uptime': m('seconds', 'Time since boot'),
  'system.processes': m('count', 'Processes'),
  'system.procs_running': m('count', 'Runnable processes'),
  'agent.dropped_samples': m('count', 'Samples the agent dropped because its buffer was full (cumulative)'),
} as const satisfies Record<string, MetricInfo>;

export type KnownMetric = keyof typeof METRICS;

export const CUSTOM_METRIC_PREFIX = 'custom.';

export function isKnownMetric(name: string): boolean {
  return Object.hasOwn(METRICS, name) || name.startsWith(CUSTOM_METRIC_PREFIX);
}
