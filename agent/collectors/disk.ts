import { existsSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { KnownMetric } from '../../shared/metrics.js';
import type { Collector, CollectorContext, Point } from './types.js';
import { CounterRates, LabelCache, pushFinite, readText, readTextIfExists } from './util.js';

export interface MountEntry {
  device: string;
  mountpoint: string;
  fstype: string;
}

/** Block-device file systems. Network ones (nfs, cifs…) are left out on purpose: statfs on a dead
 * server blocks, and the collectors run synchronously on the agent's only thread. */
export const DEFAULT_FSTYPES: readonly string[] =
  'ext2 ext3 ext4 xfs btrfs bcachefs zfs vfat exfat f2fs jfs reiserfs ntfs ntfs3 fuseblk nilfs2 hfsplus'.split(' ');

// /proc/mounts escapes space, tab, newline and backslash as octal (\040).
const unescape = (s: string): string =>
  s.includes('\\') ? s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))) : s;

export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mountpoint, fstype] = line.split(' ', 3);
    if (device && mountpoint && fstype) out.push({ device: unescape(device), mountpoint: unescape(mountpoint), fstype });
  }
  return out;
}

/** Real file systems, one mount per device (bind mounts repeat it): the shortest mount point wins. */
export function selectMounts(entries: readonly MountEntry[], fstypes: ReadonlySet<string>): MountEntry[] {
  const byDevice = new Map<string, MountEntry>();
  for (const e of entries) {
    // A container's root is an overlay; elsewhere overlays are other containers' roots.
    if (!fstypes.has(e.fstype) && !(e.fstype === 'overlay' && e.mountpoint === '/')) continue;
    const seen = byDevice.get(e.device);
    if (!seen || e.mountpoint.length < seen.mountpoint.length) byDevice.set(e.device, e);
  }
  return [...byDevice.values()];
}

/** The fields of fs.StatFs the collector reads; tests pass plain objects. */
export interface StatFsLike {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

export interface DiskUsage {
  total: number;
  used: number;
  usedPercent: number;
  /** Undefined where the file system has no fixed inode table (btrfs reports 0 files). */
  inodesUsedPercent: number | undefined;
}

export function diskUsage(s: StatFsLike): DiskUsage | undefined {
  const total = s.blocks * s.bsize;
  if (!(total > 0)) return undefined;
  const used = (s.blocks - s.bfree) * s.bsize;
  const avail = s.bavail * s.bsize;
  return {
    total,
    used,
    // As df computes it: blocks reserved for root count as neither used nor available.
    usedPercent: used + avail > 0 ? (used / (used + avail)) * 100 : 0,
    inodesUsedPercent: s.files > 0 ? ((s.files - s.ffree) / s.files) * 100 : undefined,
  };
}

export interface DiskStat {
  name: string;
  /** reads, sectors read, writes, sectors written, ms with I/O in flight (io_ticks). */
  counters: number[];
}

export function parseDiskstats(text: string): DiskStat[] {
  const out: DiskStat[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/); // major minor name reads merged sectors ms writes merged sectors ms inflight io_ticks …
    if (f.length < 14) continue;
    out.push({ name: f[2]!, counters: [Number(f[3]), Number(f[5]), Number(f[7]), Number(f[9]), Number(f[12])] });
  }
  return out;
}

/** Used when sysfs is not there to ask: sda1, vdb2, xvda1, nvme0n1p1, mmcblk0p1. */
const PARTITION = /^(?:(?:[hsv]|xv)d[a-z]+\d+|(?:nvme\d+n|mmcblk)\d+p\d+)$/;

/** Devices to report: not ignored, and not a partition of a whole disk that is itself reported. */
export function selectDevices(names: readonly string[], isWhole: (name: string) => boolean, ignore: RegExp): string[] {
  const candidates = names.filter((n) => !ignore.test(n));
  const whole = candidates.filter(isWhole);
  return candidates.filter((n) => whole.includes(n) || !whole.some((w) => n.startsWith(w)));
}

export interface DiskCollectorOptions {
  statfs?: (path: string) => StatFsLike;
  fstypes?: readonly string[];
  /** Block devices to leave out of I/O rates. */
  ignoreDevices?: RegExp;
}

const IO_METRICS: readonly KnownMetric[] = ['disk.reads', 'disk.read_bytes', 'disk.writes', 'disk.write_bytes'];
const deviceLabels = (device: string): Record<string, string> => ({ device });

export function createDiskCollector(opts: DiskCollectorOptions = {}): Collector {
  const statfs = opts.statfs ?? ((p: string) => statfsSync(p));
  const fstypes = new Set(opts.fstypes ?? DEFAULT_FSTYPES);
  const ignore = opts.ignoreDevices ?? /^(?:z?ram|loop|fd)\d+$/;
  const mountLabels = new LabelCache();
  const ioLabels = new LabelCache();
  const rates = new CounterRates();
  let wholeCache = new Map<string, boolean>();

  function usage(ctx: CollectorContext, out: Point[]): void {
    const text = readTextIfExists(join(ctx.procRoot, 'self', 'mounts')) ?? readText(join(ctx.procRoot, 'mounts'));
    for (const m of selectMounts(parseMounts(text), fstypes)) {
      let u: DiskUsage | undefined;
      try {
        u = diskUsage(statfs(ctx.rootfs + m.mountpoint));
      } catch {
        continue; // unmounted since the read, or not visible from here: nothing to report
      }
      if (!u) continue;
      const labels = mountLabels.get(`${m.device} ${m.mountpoint}`, () => ({ mount: m.mountpoint, device: m.device, fstype: m.fstype }));
      pushFinite(out, { name: 'disk.total', labels, value: u.total });
      pushFinite(out, { name: 'disk.used', labels, value: u.used });
      pushFinite(out, { name: 'disk.used_percent', labels, value: u.usedPercent });
      if (u.inodesUsedPercent !== undefined) pushFinite(out, { name: 'disk.inodes_used_percent', labels, value: u.inodesUsedPercent });
    }
    mountLabels.sweep();
  }

  function io(ctx: CollectorContext, out: Point[]): void {
    const text = readTextIfExists(join(ctx.procRoot, 'diskstats'));
    if (text === undefined) return; // some containers hide it
    const stats = parseDiskstats(text);
    const sysBlock = join(ctx.sysRoot, 'block');
    const haveSys = existsSync(sysBlock);
    const next = new Map<string, boolean>();
    const isWhole = (name: string): boolean => {
      let w = wholeCache.get(name);
      if (w === undefined) w = haveSys ? existsSync(join(sysBlock, name.replaceAll('/', '!'))) : !PARTITION.test(name);
      next.set(name, w);
      return w;
    };
    const names = stats.map((s) => s.name);
    const chosen = new Set(selectDevices(names, isWhole, ignore));
    wholeCache = next;
    rates.begin(ctx.now);
    for (const { name, counters } of stats) {
      if (!chosen.has(name)) continue;
      const r = rates.update(name, counters);
      if (!r) continue;
      const labels = ioLabels.get(name, deviceLabels);
      const [reads = 0, readSectors = 0, writes = 0, writeSectors = 0, ioMsPerSec = 0] = r;
      // diskstats counts 512-byte sectors whatever the device's own sector size.
      const values = [reads, readSectors * 512, writes, writeSectors * 512];
      for (let i = 0; i < IO_METRICS.length; i++) pushFinite(out, { name: IO_METRICS[i]!, labels, value: values[i]! });
      // io_ticks advances in ms while I/O is in flight: ms per s / 10 is a percent. Jitter between
      // the kernel's accounting and our clock can push it a hair past 100.
      pushFinite(out, { name: 'disk.busy_percent', labels, value: Math.min(100, ioMsPerSec / 10) });
    }
    rates.end();
    ioLabels.sweep();
  }

  return {
    name: 'disk',
    collect(ctx) {
      const out: Point[] = [];
      usage(ctx, out);
      io(ctx, out);
      return out;
    },
  };
}
