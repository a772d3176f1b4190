// A background job on an interval that never overlaps itself and logs instead of crashing.
import type { Logger } from 'pino';

export interface Job {
  stop(): Promise<void>;
  /** Runs the job now (waiting for a run in progress first). */
  runNow(): Promise<void>;
}

export function every(ms: number, name: string, log: Logger, fn: () => Promise<unknown>): Job {
  let running: Promise<void> | null = null;
  const run = () => {
    running ??= fn()
      .then((r) => log.debug({ job: name, result: r }, 'job done'))
      .catch((err) => log.error({ err, job: name }, 'job failed'))
      .finally(() => (running = null));
    return running;
  };
  const timer = setInterval(run, ms);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
    async runNow() {
      await running;
      await run();
    },
  };
}
