// WAL checkpoints on a worker thread. better-sqlite3 is synchronous, so a checkpoint started by
// the store's own connection runs on the event loop inside whichever commit crosses the
// wal_autocheckpoint mark: copying ~10,000 pages back into the database and syncing it stalled
// ingest for ~200 ms every few seconds at 100k samples/s (p99.9 of commits 164 ms, max 208 ms).
// A second connection on a worker thread runs PASSIVE checkpoints (they never wait for, nor block,
// the writer) every 200 ms instead: max 22-31 ms, p99.9 ~21-26 ms, for ~6% of a core on that thread.
// A PASSIVE checkpoint cannot restart the WAL while writes keep coming, so it still grows to the
// store connection's wal_autocheckpoint mark; the checkpoint the store then runs finds its pages
// already copied and is cheap. If the worker cannot start, the store's own checkpoints take over.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const EVERY_MS = 200;
const CLOSE_TIMEOUT_MS = 5_000;

// CommonJS, run with eval: bundling cannot then lose a separate worker file. The driver comes by
// absolute path, resolved where this module is, so the worker finds it whatever the cwd.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy (the store's own checkpoint) or a transient error: the next round tries again
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private exited: Promise<void>;

  private constructor(private worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    // A worker that fails (the file went away, the driver would not load) just stops
    // checkpointing; without a listener its error would take the process down.
    worker.on('error', () => {});
    worker.unref();
  }

  /** A checkpointer for the database file at `path`, or null where it cannot run. */
  static start(path: string): Checkpointer | null {
    if (path === ':memory:' || path === '') return null;
    try {
      const driver = createRequire(import.meta.url).resolve('better-sqlite3');
      return new Checkpointer(new Worker(SOURCE, { eval: true, workerData: { driver, path, everyMs: EVERY_MS } }));
    } catch {
      return null;
    }
  }

  /** Closes the worker's connection (after a checkpoint in progress) and waits for the thread. */
  async stop(): Promise<void> {
    this.worker.postMessage('close');
    const timeout = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timeout);
  }
}
