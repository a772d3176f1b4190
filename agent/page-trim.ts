// Start-up code pages, handed back. Bun maps its ~100 MB binary; starting the runtime touches ~28 MB
// of its code and read-only data, of which the agent's steady cycle uses ~5 MB. Those pages are
// clean and file-backed: madvise(MADV_DONTNEED) unmaps them from this process (they stay in the page
// cache, shared and reclaimable), and whatever the cycle still runs faults back in on the next
// cycle as minor faults, without I/O. Only mappings of the runtime's own binary with no private
// (copy-on-write) page are touched: for those, dropping a page can only ever reload the same bytes.
// Under Node (development, tests) or where bun:ffi is unavailable, nothing is trimmed.
import { readFileSync, realpathSync } from 'node:fs';

export interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  path: string;
  /** Resident pages in this mapping, kB. */
  rssKb: number;
  /** Private copy-on-write pages (written since mapped): these must never be dropped. */
  anonymousKb: number;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/;

/** /proc/PID/smaps: one Mapping per region, with its Rss and Anonymous sizes. */
export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  let cur: Mapping | undefined;
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      cur = { start: BigInt(`0x${h[1]}`), end: BigInt(`0x${h[2]}`), perms: h[3]!, path: h[4]!, rssKb: 0, anonymousKb: 0 };
      out.push(cur);
    } else if (cur && line.startsWith('Rss:')) cur.rssKb = parseInt(line.slice(4), 10);
    else if (cur && line.startsWith('Anonymous:')) cur.anonymousKb = parseInt(line.slice(10), 10);
  }
  return out;
}

/** The binary's read-only, never-written mappings that hold resident pages. */
export function trimmable(mappings: readonly Mapping[], binary: string): Mapping[] {
  return mappings.filter((m) => m.path === binary && m.perms[1] === '-' && m.perms[3] === 'p' && m.anonymousKb === 0 && m.rssKb > 0);
}

const MADV_DONTNEED = 4;

export interface PageTrimmer {
  /** Unmaps the binary's resident read-only pages; returns how many kB were resident in them. */
  trim(): number;
}

type Madvise = (addr: bigint, length: bigint, advice: number) => number;

/** A trimmer for this process, or null where the runtime cannot call madvise (Node, no bun:ffi). */
export async function createPageTrimmer(): Promise<PageTrimmer | null> {
  const madvise = await loadMadvise();
  if (!madvise) return null;
  const binary = realpathSync(process.execPath); // smaps names the file itself
  return {
    trim() {
      let kb = 0;
      for (const m of trimmable(parseSmaps(readFileSync('/proc/self/smaps', 'utf8')), binary)) {
        if (madvise(m.start, m.end - m.start, MADV_DONTNEED) === 0) kb += m.rssKb;
      }
      return kb;
    },
  };
}

interface BunFfi {
  dlopen(lib: string, symbols: Record<string, { args: string[]; returns: string }>): { symbols: Record<string, Madvise> };
}

async function loadMadvise(): Promise<Madvise | null> {
  if (!(globalThis as { Bun?: unknown }).Bun || process.platform !== 'linux') return null;
  let ffi: BunFfi;
  try {
    const specifier = 'bun:ffi'; // not a literal: the bundler must leave it to the runtime
    ffi = (await import(specifier)) as BunFfi;
  } catch {
    return null;
  }
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  // glibc, then musl (Alpine), by soname.
  for (const lib of ['libc.so.6', `libc.musl-${arch}.so.1`]) {
    try {
      return ffi.dlopen(lib, { madvise: { args: ['u64', 'u64', 'i32'], returns: 'i32' } }).symbols.madvise!;
    } catch {
      // not this libc
    }
  }
  return null;
}
