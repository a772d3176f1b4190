// The on-disk batch buffer: one gzip file per batch, named by sequence number and sample count,
// written to a temp name and renamed so a crash never leaves half a batch. Bounded in bytes: when
// full, the oldest batches go first and their samples are counted as dropped (persisted, reported).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BufferedBatch {
  seq: number;
  samples: number;
  bytes: number;
  file: string;
}

const NAME = /^(\d{16})-(\d+)\.json\.gz$/;

export class BatchBuffer {
  private batches: BufferedBatch[] = [];
  private totalBytes = 0;
  private nextSeq = 1;
  private state: { droppedSamples: number; droppedBatches: number };
  /** The newest batch's bytes: the sender usually sends it right away, so it need not read it back. */
  private newest: { seq: number; gz: Buffer } | null = null;

  constructor(
    private dir: string,
    private maxBytes: number,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      const m = NAME.exec(name);
      if (!m) {
        if (name.endsWith('.tmp')) rmSync(join(dir, name), { force: true }); // a write cut short by a crash
        continue;
      }
      const file = join(dir, name);
      const b = { seq: Number(m[1]), samples: Number(m[2]), bytes: statSync(file).size, file };
      this.batches.push(b);
      this.totalBytes += b.bytes;
    }
    this.batches.sort((a, b) => a.seq - b.seq);
    this.nextSeq = (this.batches.at(-1)?.seq ?? 0) + 1;
    this.state = this.readState();
  }

  /** Stores a gzipped batch; returns how many older samples had to be dropped to make room. */
  append(gz: Buffer, samples: number): number {
    let dropped = 0;
    while (this.batches.length && this.totalBytes + gz.length > this.maxBytes) {
      const old = this.batches.shift()!;
      rmSync(old.file, { force: true });
      this.totalBytes -= old.bytes;
      dropped += old.samples;
      this.state.droppedBatches++;
    }
    const seq = this.nextSeq++;
    const file = join(this.dir, `${String(seq).padStart(16, '0')}-${samples}.json.gz`);
    writeFileSync(`${file}.tmp`, gz);
    renameSync(`${file}.tmp`, file);
    this.batches.push({ seq, samples, bytes: gz.length, file });
    this.totalBytes += gz.length;
    this.newest = { seq, gz };
    if (dropped) {
      this.state.droppedSamples += dropped;
      this.writeState();
    }
    return dropped;
  }

  oldest(): BufferedBatch | undefined {
    return this.batches[0];
  }

  read(b: BufferedBatch): Buffer | null {
    if (this.newest?.seq === b.seq) return this.newest.gz;
    try {
      return readFileSync(b.file);
    } catch {
      this.remove(b); // dropped to make room while we were sending, or removed by hand
      return null;
    }
  }

  remove(b: BufferedBatch): void {
    const i = this.batches.indexOf(b);
    if (i >= 0) {
      this.batches.splice(i, 1);
      this.totalBytes -= b.bytes;
    }
    rmSync(b.file, { force: true });
  }

  get stats() {
    return { batches: this.batches.length, bytes: this.totalBytes, ...this.state };
  }

  private readState() {
    try {
      return JSON.parse(readFileSync(join(this.dir, 'state.json'), 'utf8')) as { droppedSamples: number; droppedBatches: number };
    } catch {
      return { droppedSamples: 0, droppedBatches: 0 };
    }
  }

  private writeState() {
    writeFileSync(join(this.dir, 'state.json.tmp'), JSON.stringify(this.state));
    renameSync(join(this.dir, 'state.json.tmp'), join(this.dir, 'state.json'));
  }
}
