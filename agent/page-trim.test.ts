import { describe, expect, it } from 'vitest';
import { createPageTrimmer, parseSmaps, trimmable } from './page-trim.js';

const BIN = '/opt/watchtower-agent/runtimes/abc/bun';
// Trimmed from a Bun 1.4.5 agent's /proc/PID/smaps (fields the parser ignores left in on purpose).
const SMAPS = `00200000-01a39000 r--p 00000000 fe:00 5334786                            ${BIN}
Size:              24804 kB
Rss:                5744 kB
Pss:                5744 kB
Anonymous:             0 kB
01a40000-0684a000 r-xp 01838000 fe:00 5334786                            ${BIN}
Size:              79912 kB
Rss:               23432 kB
Anonymous:             0 kB
0684a000-0685f000 rw-p 06641000 fe:00 5334786                            ${BIN}
Rss:                  84 kB
Anonymous:            60 kB
0685f000-06867000 r--p 06656000 fe:00 5334786                            ${BIN}
Rss:                  32 kB
Anonymous:            32 kB
06870000-06880000 r--p 00000000 fe:00 5334786                            ${BIN}
Rss:                   0 kB
Anonymous:             0 kB
7f0f4b800000-7f0f4b826000 r-xp 00026000 fe:00 131                        /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                1236 kB
Anonymous:             0 kB
7f0f4c000000-7f0f4c400000 rw-p 00000000 00:00 0 
Rss:                4188 kB
Anonymous:          4188 kB
7f0f4d000000-7f0f4d100000 r-xp 00000000 fe:00 99                         ${BIN} (deleted)
Rss:                 900 kB
Anonymous:             0 kB
`;

describe('page trim', () => {
  it('parses every mapping with its range, permissions, path, Rss and Anonymous', () => {
    const maps = parseSmaps(SMAPS);
    expect(maps).toHaveLength(8);
    expect(maps[1]).toEqual({ start: 0x1a40000n, end: 0x684a000n, perms: 'r-xp', path: BIN, rssKb: 23432, anonymousKb: 0 });
    expect(maps[6]).toMatchObject({ path: '', rssKb: 4188, anonymousKb: 4188 });
  });

  it("picks only the binary's read-only mappings that hold pages and were never written", () => {
    const picked = trimmable(parseSmaps(SMAPS), BIN).map((m) => `${m.start.toString(16)} ${m.perms}`);
    // Not: rw-p data, the relocated (RELRO) r--p with copy-on-write pages, an empty mapping, libc,
    // anonymous memory, or a binary replaced on disk since it started.
    expect(picked).toEqual(['200000 r--p', '1a40000 r-xp']);
  });

  it('is not available under Node, which has no FFI (the agent then runs untrimmed)', async () => {
    expect(await createPageTrimmer()).toBeNull();
  });
});
