import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogTailer, guessLevel, type LogTailer } from './logs.js';

let dir: string;
let log: string;
const tailers: LogTailer[] = [];
const tail = (opts: Partial<Parameters<typeof createLogTailer>[0]> = {}): LogTailer => {
  const t = createLogTailer({ files: [log], ...opts });
  tailers.push(t);
  return t;
};
const messages = (t: LogTailer, now = 1): string[] => t.collect(now).map((e) => e.message);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wt-logs-'));
  log = join(dir, 'app.log');
});
afterEach(() => {
  tailers.splice(0).forEach((t) => t.close());
  rmSync(dir, { recursive: true, force: true });
});

describe('guessLevel', () => {
  it('finds severity keywords as words', () => {
    expect(guessLevel('kernel: PANIC: oops')).toBe('critical');
    expect(guessLevel('[ERROR] db down')).toBe('error');
    expect(guessLevel('nginx: [warn] slow')).toBe('warning');
    expect(guessLevel('all good, no errors here? terror')).toBeUndefined();
  });
});

describe('log tailer', () => {
  it('starts at the end of an existing file and follows appends', () => {
    writeFileSync(log, 'old 1\nold 2\n');
    const t = tail();
    expect(t.collect(5)).toEqual([]);
    appendFileSync(log, 'new 1\r\nERROR new 2\n\n');
    expect(t.collect(7)).toEqual([
      { ts: 7, kind: 'log', source: log, message: 'new 1' },
      { ts: 7, kind: 'log', source: log, level: 'error', message: 'ERROR new 2' },
    ]);
    expect(t.collect(9)).toEqual([]);
  });

  it('holds a partial last line until its newline arrives', () => {
    writeFileSync(log, '');
    const t = tail();
    appendFileSync(log, 'first\nsec');
    expect(messages(t)).toEqual(['first']);
    appendFileSync(log, 'ond half');
    expect(messages(t)).toEqual([]);
    appendFileSync(log, '\n');
    expect(messages(t)).toEqual(['second half']);
  });

  it('restarts at 0 after truncation', () => {
    writeFileSync(log, 'a long line before truncation\n');
    const t = tail();
    truncateSync(log, 0);
    appendFileSync(log, 'after\n');
    expect(messages(t)).toEqual(['after']);
  });

  it('finishes the old file and reads the new one from 0 after rotation', () => {
    writeFileSync(log, 'x\n');
    const t = tail();
    appendFileSync(log, 'last words\nno newline');
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'fresh 1\nfresh 2\n');
    expect(messages(t)).toEqual(['last words', 'no newline', 'fresh 1', 'fresh 2']);
  });

  it('picks a missing file up when it appears, from its start', () => {
    const t = tail();
    expect(messages(t)).toEqual([]);
    writeFileSync(log, 'born\n');
    expect(messages(t)).toEqual(['born']);
    unlinkSync(log);
    expect(messages(t)).toEqual([]);
    writeFileSync(log, 'reborn\n');
    expect(messages(t)).toEqual(['reborn']);
  });

  it('cuts long lines and skips the rest of them', () => {
    writeFileSync(log, '');
    const t = tail({ maxLineLength: 10 });
    appendFileSync(log, `${'a'.repeat(25)}\nshort\n${'b'.repeat(100_000)}\nend\n`);
    expect(messages(t)).toEqual(['a'.repeat(10), 'short', 'b'.repeat(10), 'end']);
  });

  it('cuts a long unfinished line at once instead of waiting for its newline', () => {
    writeFileSync(log, '');
    const t = tail({ maxLineLength: 10 });
    appendFileSync(log, 'c'.repeat(30));
    expect(messages(t)).toEqual(['c'.repeat(10)]);
    appendFileSync(log, 'ccc\nnext\n');
    expect(messages(t)).toEqual(['next']);
  });

  it('spreads a line budget over cycles without losing lines', () => {
    writeFileSync(log, '');
    const t = tail({ maxLinesPerCycle: 2 });
    appendFileSync(log, '1\n2\n3\n4\n5\n');
    expect([messages(t), messages(t), messages(t), messages(t)]).toEqual([['1', '2'], ['3', '4'], ['5'], []]);
  });

  it('skips to the end when too far behind, and says so', () => {
    writeFileSync(log, '');
    const t = tail({ maxBacklogBytes: 10 });
    appendFileSync(log, 'lots of lines\nmore lines\n');
    const ev = t.collect(3);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ kind: 'event', level: 'warning', source: log });
    appendFileSync(log, 'caught up\n');
    expect(messages(t)).toEqual(['caught up']);
  });

  it('resumes from restored positions', () => {
    writeFileSync(log, 'one\n');
    const t1 = tail();
    appendFileSync(log, 'two\n');
    messages(t1);
    const saved = t1.positions();
    appendFileSync(log, 'three\n'); // written while the agent was down
    const t2 = tail();
    t2.restore(saved);
    expect(messages(t2)).toEqual(['three']);
  });

  it('reads several files and reports unreadable ones once', () => {
    const other = join(dir, 'other.log');
    writeFileSync(log, '');
    writeFileSync(other, '');
    const errors: string[] = [];
    const t = createLogTailer({ files: [log, other, dir], onError: (f) => errors.push(f) });
    tailers.push(t);
    appendFileSync(log, 'a\n');
    appendFileSync(other, 'b\n');
    expect(
      t
        .collect(1)
        .map((e) => `${e.source}:${e.message}`)
        .sort(),
    ).toEqual([`${log}:a`, `${other}:b`]);
    t.collect(2);
    expect(errors).toEqual([dir]); // a directory: EISDIR, reported once
  });
});
