// bench:deploy — the SSH deployer against 10 real sshd hosts on loopback, started as the tests do
// (one user and install dir per host). Three runs through one in-process control plane: a fresh
// install (runtime upload, bundle, config, service, first heartbeat), a re-run that changes nothing,
// and an upgrade to a bundle with another version on the same runtime (bundle only, heartbeat of the
// new version). SSH sessions are counted by sshd itself (its "Starting session" log lines).
// The agent runs with its default 10-s interval, so each heartbeat wait includes up to one interval.
import { readFileSync, rmSync } from 'node:fs';
import { deployService, progressRecorder, serverFor, testSecretBox, upgradedArtifacts } from '../test/helpers/deploy.js';
import { startTestApp } from '../test/helpers/app.js';
import { sqliteTarget } from '../test/helpers/stores.js';
import { sshdAvailable, startSshdHosts } from '../test/helpers/sshd.js';
import { onCleanup, runMain } from './lib.js';
import type { DeployService } from '../core/deploy/service.js';

const HOSTS = Number(process.env.BENCH_DEPLOY_HOSTS ?? 10);
const INTERVAL_SEC = Number(process.env.BENCH_DEPLOY_INTERVAL_SEC ?? 10);

runMain('bench:deploy', 10 * 60_000, async () => {
  if (!sshdAvailable()) throw new Error('needs root and /usr/sbin/sshd (Debian openssh-server)');
  const hosts = await startSshdHosts(HOSTS);
  onCleanup(() => Promise.all(hosts.map((h) => h.cleanup())));
  const target = sqliteTarget();
  onCleanup(() => target.cleanup());
  const app = await startTestApp(target);
  onCleanup(() => app.stop());
  const box = testSecretBox();
  const progress = progressRecorder();
  const opts = {
    store: app.store,
    ingestUrl: app.ingestUrl,
    box,
    progress,
    agentIntervalSec: INTERVAL_SEC,
    agentExtraConfig: {},
    heartbeatTimeoutMs: 60_000,
  };
  const svc = deployService(opts);
  onCleanup(() => svc.stop());
  const ids: string[] = [];
  for (const h of hosts) ids.push((await svc.servers.create(serverFor(h))).id);

  const timed = async (label: string, s: DeployService, action: 'install' | 'upgrade') => {
    const before = hosts.map((h) => h.sessions());
    const from = progress.events.length;
    const t0 = performance.now();
    const wall0 = Date.now();
    const cpu0 = process.cpuUsage();
    const run = await s.deployer.wait((await s.deployer.start(action, ids, HOSTS)).id);
    const seconds = (performance.now() - t0) / 1000;
    const failed = run!.targets.filter((t) => t.status !== 'ok');
    if (failed.length) throw new Error(`${label}: ${failed.map((t) => `${t.name}: ${t.error}`).join('; ')}`);
    const sessions = hosts.map((h, i) => h.sessions() - before[i]!);
    const bytes = run!.targets.map((t) => t.bytesUploaded);
    const changed = run!.targets.filter((t) => t.changed).length;
    console.log(
      `${label}: ${seconds.toFixed(2)} s, ${changed}/${HOSTS} changed, sessions per host (sshd) ${Math.min(...sessions)}–${Math.max(...sessions)}, ` +
        `bytes per host ${Math.min(...bytes)}–${Math.max(...bytes)}`,
    );
    // When the slowest host reached each step (s after the start): where the time goes.
    const steps = ['probe', 'upload', 'install', 'start', 'done'].map((step) => {
      const at = progress.events.slice(from).filter((e) => e.step === step && (step !== 'upload' || e.percent === 100));
      return at.length ? `${step} ${((Math.max(...at.map((e) => e.at)) - wall0) / 1000).toFixed(1)}` : null;
    });
    const cpu = process.cpuUsage(cpu0);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(`  control plane CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; machine load average ${load}`);
    console.log(`  slowest host reached: ${steps.filter(Boolean).join(', ')}`);
    return { seconds, sessions: Math.max(...sessions), bytes: Math.max(...bytes) };
  };

  console.log(`${HOSTS} sshd hosts on loopback, agent interval ${INTERVAL_SEC} s, concurrency ${HOSTS}`);
  const fresh = await timed('fresh install', svc, 'install');
  const rerun = await timed('no-change re-run', svc, 'install');
  const artifactsDir = upgradedArtifacts('0.1.1-bench');
  onCleanup(() => rmSync(artifactsDir, { recursive: true, force: true }));
  const next = deployService({ ...opts, artifactsDir });
  onCleanup(() => next.stop());
  const upgrade = await timed('upgrade (same runtime)', next, 'upgrade');
  await next.deployer.wait((await next.deployer.start('uninstall', ids, HOSTS)).id);

  console.log(`fresh ${HOSTS} hosts: ${fresh.seconds.toFixed(1)} s`);
  console.log(`no-change re-run ${HOSTS} hosts: ${rerun.seconds.toFixed(1)} s`);
  console.log(`upgrade ${HOSTS} hosts: ${upgrade.seconds.toFixed(1)} s`);
  console.log(`upgrade bytes per host: ${upgrade.bytes}`);
  console.log(`ssh sessions per host (fresh): ${fresh.sessions}`);
});
