import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchBuffer } from './buffer.js';

const dir = () => mkdtempSync(join(tmpdir(), 'wt-buf-'));
const batch = (n: number) => Buffer.alloc(100, n);

describe('on-disk batch buffer', () => {
  it('keeps batches in order and across restarts', () => {
    const d = dir();
    const a = new BatchBuffer(d, 10_000);
    a.append(batch(1), 5);
    a.append(batch(2), 7);
    const b = new BatchBuffer(d, 10_000);
    expect(b.stats).toMatchObject({ batches: 2, bytes: 200, droppedSamples: 0 });
    const first = b.oldest()!;
    expect(first.samples).toBe(5);
    expect(b.read(first)).toEqual(batch(1));
    b.remove(first);
    expect(b.oldest()!.samples).toBe(7);
    b.append(batch(3), 1);
    expect(new BatchBuffer(d, 10_000).stats.batches).toBe(2);
  });

  it('drops the oldest batches when full and remembers how many samples it dropped', () => {
    const d = dir();
    const buf = new BatchBuffer(d, 250);
    buf.append(batch(1), 10);
    buf.append(batch(2), 20);
    expect(buf.append(batch(3), 30)).toBe(10);
    expect(buf.append(batch(4), 40)).toBe(20);
    expect(buf.stats).toMatchObject({ batches: 2, bytes: 200, droppedSamples: 30, droppedBatches: 2 });
    expect(new BatchBuffer(d, 250).stats).toMatchObject({ droppedSamples: 30, droppedBatches: 2 });
    expect(buf.read(buf.oldest()!)).toEqual(batch(3));
  });

  it('discards a half-written batch left by a crash', () => {
    const d = dir();
    new BatchBuffer(d, 10_000).append(batch(1), 1);
    writeFileSync(join(d, '0000000000000002-5.json.gz.tmp'), 'partial');
    const buf = new BatchBuffer(d, 10_000);
    expect(buf.stats.batches).toBe(1);
    expect(readdirSync(d).some((f) => f.endsWith('.tmp'))).toBe(false);
    buf.append(batch(2), 2);
    expect(
      readdirSync(d)
        .filter((f) => f.endsWith('.json.gz'))
        .sort(),
    ).toEqual(['0000000000000001-1.json.gz', '0000000000000002-2.json.gz']);
  });
});
