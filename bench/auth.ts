// Sign-in cost with the production scrypt parameters (N=2^17, r=8, p=1): one hash alone, then
// POST /api/v1/auth/sign-in against a real server process (SQLite), one at a time and 6 at once
// (hashes run at most two at a time, so a burst queues instead of taking 128 MiB each), with the
// server's peak RSS. Also an authenticated API call (session lookup per request) for comparison.
//   npm run bench:auth     env: BENCH_SIGNINS=10
import { cpus, loadavg } from 'node:os';
import { hashPassword, verifyPassword } from '../core/auth/passwords.js';
import { fmt, getJson, httpRequest, percentile, procRssMb, runMain, startServer, tempDir } from './lib.js';

const N = Number(process.env.BENCH_SIGNINS ?? 10);
const OWNER = { username: 'bench', password: 'bench-password-not-secret' };

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${fmt(percentile(s, 0.5), 0)} ms, p95 ${fmt(percentile(s, 0.95), 0)} ms, max ${fmt(s.at(-1)!, 0)} ms (n=${s.length})`;
};

runMain('bench:auth', 5 * 60_000, async () => {
  const stored = await hashPassword(OWNER.password);
  const verify: number[] = [];
  for (let i = 0; i < 5; i++) verify.push(await timed(() => verifyPassword(OWNER.password, stored)));
  console.log(
    `load average ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')} on ${cpus().length} CPUs`,
  );
  console.log(`scrypt verify in this process: ${summary(verify)}`);

  const server = await startServer({ dataDir: tempDir('wt-bench-auth-') });
  const signIn = () =>
    httpRequest(`${server.url}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(OWNER),
    }).then((r) => {
      if (r.status !== 200) throw new Error(`sign-in: ${r.status} ${r.body.toString()}`);
    });
  const serial: number[] = [];
  for (let i = 0; i < N; i++) serial.push(await timed(signIn));
  console.log(`sign-in over HTTP, one at a time: ${summary(serial)}`);
  const burst = await Promise.all(Array.from({ length: 6 }, () => timed(signIn)));
  console.log(`sign-in over HTTP, 6 at once: ${summary(burst)}; server RSS after ${fmt(procRssMb(server.pid), 0)} MB`);
  const calls: number[] = [];
  for (let i = 0; i < 50; i++) calls.push(await timed(() => getJson(`${server.url}/api/v1/auth/session`)));
  console.log(`GET /api/v1/auth/session with an API token (lookup per request): ${summary(calls)}`);
  await server.stop();
});
