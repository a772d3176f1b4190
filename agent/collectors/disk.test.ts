import { describe, expect, it } from 'vitest';
import {
  createDiskCollector,
  DEFAULT_FSTYPES,
  diskUsage,
  parseDiskstats,
  parseMounts,
  selectDevices,
  selectMounts,
  type StatFsLike,
} from './disk.js';
import { byKey, fixtureContext, FIXTURES, T0, T1 } from './testing.js';

const fs = (blocks: number, bfree: number, bavail: number, files: number, ffree: number): StatFsLike => ({
  bsize: 4096,
  blocks,
  bfree,
  bavail,
  files,
  ffree,
});

describe('mounts', () => {
  it('decodes octal escapes in mount points', () => {
    expect(parseMounts('/dev/sdb1 /mnt/my\\040disk ext4 rw 0 0\n')).toEqual([
      { device: '/dev/sdb1', mountpoint: '/mnt/my disk', fstype: 'ext4' },
    ]);
  });

  it('keeps real file systems, one per device, and an overlay only as the root', () => {
    const m = parseMounts(
      [
        'overlay / overlay rw 0 0',
        'proc /proc proc rw 0 0',
        '/dev/vda /etc/hosts ext4 rw 0 0',
        '/dev/vda /data ext4 rw 0 0',
        'overlay /var/lib/docker/x/merged overlay rw 0 0',
        'tmpfs /tmp tmpfs rw 0 0',
        'nas:/x /mnt nfs4 rw 0 0',
      ].join('\n'),
    );
    expect(selectMounts(m, new Set(DEFAULT_FSTYPES)).map((e) => e.mountpoint)).toEqual(['/', '/data']);
  });
});

describe('diskUsage', () => {
  it('computes used percent as df does (reserved blocks excluded)', () => {
    // 1000 blocks, 200 free of which 150 available to users: 800 / (800 + 150)
    const u = diskUsage(fs(1000, 200, 150, 100, 25))!;
    expect(u.total).toBe(4_096_000);
    expect(u.used).toBe(3_276_800);
    expect(u.usedPercent).toBeCloseTo((800 / 950) * 100, 10);
    expect(u.inodesUsedPercent).toBe(75);
  });

  it('has no inode figure where the file system reports none, and nothing for empty ones', () => {
    expect(diskUsage(fs(10, 5, 5, 0, 0))!.inodesUsedPercent).toBeUndefined();
    expect(diskUsage(fs(0, 0, 0, 0, 0))).toBeUndefined();
  });
});

describe('diskstats', () => {
  it('parses the counters it needs', () => {
    expect(parseDiskstats('   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n')).toEqual([
      { name: 'sda', counters: [1, 3, 5, 7, 10] },
    ]);
  });

  it('drops partitions of reported disks, keeps orphans and ignored names out', () => {
    const whole = (n: string): boolean => ['sda', 'nvme0n1', 'loop0', 'dm-0'].includes(n);
    expect(selectDevices(['loop0', 'sda', 'sda1', 'nvme0n1', 'nvme0n1p1', 'dm-0', 'xvda1'], whole, /^loop\d+$/)).toEqual([
      'sda',
      'nvme0n1',
      'dm-0',
      'xvda1',
    ]);
  });
});

describe('disk collector on the fixture host', () => {
  const sizes: Record<string, StatFsLike> = {
    '/': fs(10_000_000, 4_000_000, 3_500_000, 655_360, 555_360),
    '/boot/efi': fs(130_000, 125_000, 125_000, 0, 0),
    '/srv/my data': fs(2_000_000, 1_500_000, 1_500_000, 1_000_000, 990_000),
  };
  const statfs = (path: string): StatFsLike => {
    const s = sizes[path.slice(FIXTURES.length + 'tN'.length)];
    if (!s) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
    return s;
  };

  it('reports usage per real mount and I/O rates per whole disk', () => {
    const c = createDiskCollector({ statfs });
    const first = byKey(c.collect(fixtureContext('t0', T0)));
    expect(Object.keys(first).every((k) => k.startsWith('disk.total') || k.startsWith('disk.used') || k.startsWith('disk.inodes'))).toBe(
      true,
    );
    const p = byKey(c.collect(fixtureContext('t1', T1)));
    const root = '{mount=/,device=/dev/sda2,fstype=ext4}';
    expect(p[`disk.total${root}`]).toBe(40_960_000_000);
    expect(p[`disk.used${root}`]).toBe(24_576_000_000);
    expect(p[`disk.used_percent${root}`]).toBeCloseTo((6_000_000 / 9_500_000) * 100, 10);
    expect(p[`disk.inodes_used_percent${root}`]).toBeCloseTo((100_000 / 655_360) * 100, 10);
    expect(p['disk.used_percent{mount=/srv/my data,device=/dev/nvme0n1p1,fstype=xfs}']).toBe(25);
    expect(p['disk.inodes_used_percent{mount=/boot/efi,device=/dev/sda1,fstype=vfat}']).toBeUndefined();
    const io = Object.fromEntries(Object.entries(p).filter(([k]) => !k.includes('mount=')));
    expect(io).toEqual({
      'disk.reads{device=sda}': 10,
      'disk.read_bytes{device=sda}': 1_048_576,
      'disk.writes{device=sda}': 50,
      'disk.write_bytes{device=sda}': 2_097_152,
      'disk.busy_percent{device=sda}': 25,
      'disk.reads{device=nvme0n1}': 0,
      'disk.read_bytes{device=nvme0n1}': 0,
      'disk.writes{device=nvme0n1}': 100,
      'disk.write_bytes{device=nvme0n1}': 4_194_304,
      'disk.busy_percent{device=nvme0n1}': 100, // io_ticks ran 0.5 % ahead of the wall clock
    });
    expect(Object.keys(p).filter((k) => k.includes('mount=')).length).toBe(11); // 3 mounts × 4, no inodes on vfat
  });

  it('falls back to name patterns when sysfs is absent', () => {
    const c = createDiskCollector({ statfs });
    c.collect({ ...fixtureContext('t0', T0), sysRoot: '/nonexistent' });
    const devices = new Set(c.collect({ ...fixtureContext('t1', T1), sysRoot: '/nonexistent' }).flatMap((x) => x.labels?.device ?? []));
    expect([...devices].filter((d) => !d.startsWith('/'))).toEqual(['sda', 'nvme0n1']);
  });
});
