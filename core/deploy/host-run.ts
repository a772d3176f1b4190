// One server's part of a deploy run: connect → probe → (upload) → install + start → heartbeat. Three
// SSH sessions for a fresh install (probe, runtime upload, install), one when nothing changed.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import type { DeployAction, DeployStep, ProbeResult, ServerView } from '../../shared/contract/deploy.js';
import type { ServerRecord } from '../store/deploy/types.js';
import { targetFor, type AgentArtifact, type AgentTarget } from './artifacts.js';
import { DeployError } from './errors.js';
import { parseProbe, probeScript, type ProbeFacts } from './probe.js';
import { dataDirOf, installScript, rollbackScript, runtimePathOf, uninstallScript, uploadRuntimeCommand, type Layout } from './scripts.js';
import type { ServiceKind } from './services.js';
import { shq } from './shell.js';
import { SshConnection, type ExecResult, type SshTarget } from './ssh.js';
import type { DeployContext } from './context.js';

export interface HostOutcome {
  changed: boolean;
  bytesUploaded: number;
  sshSessions: number;
  message: string;
}

type Report = (step: DeployStep, extra?: { percent?: number; message?: string }) => void;

/**
 * `stop` aborts the work at once: the SSH connection is dropped (a command in flight ends), and no
 * further step starts — for a run another instance has declared interrupted, or a shutdown.
 */
export async function runOnHost(
  ctx: DeployContext,
  server: ServerRecord,
  action: DeployAction,
  reportStep: Report,
  stop?: AbortSignal,
): Promise<HostOutcome> {
  const report: Report = (step, extra) => {
    stop?.throwIfAborted();
    reportStep(step, extra);
  };
  report('connect', { message: `${server.spec.user}@${server.spec.host}:${server.spec.port}` });
  const conn = await openConnection(ctx, server, (fp) => reportStep('connect', { message: `host key trusted on first use: ${fp}` }), stop);
  const out: HostOutcome = { changed: false, bytesUploaded: 0, sshSessions: 0, message: '' };
  const drop = () => conn.close();
  stop?.addEventListener('abort', drop, { once: true });
  try {
    report('probe');
    const system = server.spec.user === 'root' || server.spec.become === 'sudo';
    const dir = server.spec.installDir ?? (system ? '/opt/watchtower-agent' : '~/.watchtower-agent');
    const p = await conn.exec('sh -s', { stdin: probeScript(dir), timeoutMs: 30_000 });
    if (p.code !== 0 && !p.stdout.includes('probe=done'))
      throw new DeployError('probe', `the probe failed (exit ${p.code}): ${p.stderr.trim().slice(0, 300)}`);
    const facts = parseProbe(p.stdout, ctx.now());
    await ctx.store.setProbe(server.id, facts.result, ctx.now());
    const sudo = sudoMode(server, facts, ctx);
    // Uninstall removes whatever kind is there (and must work when the settings no longer fit the host).
    const installedKind = (['systemd', 'openrc', 'user'] as const).find((k) => k === facts.state.service) ?? 'user';
    const service = action === 'uninstall' ? installedKind : serviceKind(server, facts.result, system);
    const layout: Layout = { dir: facts.dir, system, service };
    const privileged = (cmd: string, o: Parameters<SshConnection['exec']>[1] = {}) => execAs(conn, sudo, cmd, o);

    if (action === 'uninstall') {
      report('install', { message: `removing the agent from ${layout.dir}` });
      const r = await privileged('sh -s', { stdin: uninstallScript(layout), timeoutMs: 60_000 });
      if (!r.stdout.includes('uninstalled'))
        throw new DeployError('install', `uninstall failed (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`);
      await ctx.markUninstalled(server);
      ctx.tunnels?.drop(server.id);
      out.changed = facts.result.agent.installed;
      out.message = facts.result.agent.installed ? 'agent removed' : 'no agent was installed; files removed';
      return finish(out, conn);
    }
    if (action === 'upgrade' && !facts.result.agent.installed)
      throw new DeployError('probe', 'no agent installed here to upgrade: run an install');

    const artifact = await ctx.artifact(platformTarget(facts.result));
    const { hostId, token } = await ctx.ensureHost(server);
    const config = agentConfig(ctx, server, layout, token);
    const configSha256 = createHash('sha256').update(config).digest('hex');
    const state = facts.state;
    const unchanged =
      state.bundle_sha256 === artifact.bundle.sha256 &&
      state.runtime_sha256 === artifact.runtime.sha256 &&
      state.config_sha256 === configSha256 &&
      state.service === layout.service &&
      facts.result.agent.running &&
      server.installed?.bundleSha256 === artifact.bundle.sha256; // recorded only after a heartbeat
    if (unchanged) {
      out.message = `agent ${artifact.bundle.version} already installed and running`;
      await ctx.store.setInstalled(server.id, installedView(artifact, layout, ctx.now()), ctx.now());
      return finish(out, conn);
    }
    out.changed = true;

    if (!facts.runtimes.includes(artifact.runtime.sha256)) {
      const need = artifact.runtime.bytes + artifact.bundle.bytes + 16 * 1024 * 1024;
      if (facts.result.freeDiskBytes !== null && facts.result.freeDiskBytes < need) {
        throw new DeployError(
          'probe',
          `not enough disk: ${fmtMb(facts.result.freeDiskBytes)} free under ${layout.dir}, the agent needs ${fmtMb(need)}`,
        );
      }
      const up = artifact.runtime.upload;
      report('upload', { percent: 0, message: `${artifact.runtime.name} ${artifact.runtime.version} (${fmtMb(up.bytes)})` });
      let lastPct = 0;
      const r = await privileged(
        `sh -c ${shq(uploadRuntimeCommand({ dir: layout.dir, sha256: artifact.runtime.sha256, uploadSha256: up.sha256, name: artifact.runtime.name, gzip: up.encoding === 'gzip' }))}`,
        {
          stream: createReadStream(up.file, { highWaterMark: 1024 * 1024 }),
          onProgress: (bytes) => {
            const pct = Math.floor((bytes / up.bytes) * 100);
            if (pct >= lastPct + 10) report('upload', { percent: (lastPct = pct - (pct % 10)) });
          },
          timeoutMs: 15 * 60_000,
        },
      );
      if (!r.stdout.includes('uploaded'))
        throw new DeployError('upload', `runtime upload failed (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`);
      out.bytesUploaded += up.bytes;
      report('upload', { percent: 100 });
    }

    report('install', { message: `${layout.service} service in ${layout.dir}` });
    const runtimePath = runtimePathOf(layout.dir, artifact.runtime.sha256, artifact.runtime.name);
    const script = installScript({
      layout,
      loginUser: server.spec.user,
      argv: artifact.command(runtimePath, `${layout.dir}/agent.mjs`, `${layout.dir}/agent.json`),
      bundle: {
        base64: readFileSync(artifact.bundle.file).toString('base64'),
        sha256: artifact.bundle.sha256,
        version: artifact.bundle.version,
      },
      runtimeSha256: artifact.runtime.sha256,
      config,
      configSha256,
      target: artifact.target,
      musl: facts.result.libc === 'musl',
    });
    const startedAfter = ctx.now();
    const r = await privileged('sh -s', { stdin: script, timeoutMs: 120_000 });
    out.bytesUploaded += Buffer.byteLength(script);
    if (!r.stdout.includes('installed'))
      throw new DeployError('install', `install failed (exit ${r.code}): ${r.stderr.trim().slice(0, 400)}`);
    report('start', { message: `started (${layout.service})` });

    if (server.spec.reach === 'tunnel') {
      if (!ctx.tunnels) throw new DeployError('start', 'tunnel mode needs the deploy service running (no tunnel manager)');
      await ctx.tunnels.ensure(server.id).catch((err: Error) => {
        throw new DeployError('start', `cannot open the tunnel to ${server.name}: ${err.message}`);
      });
    }
    report('heartbeat', { message: `waiting for agent ${artifact.bundle.version} to report` });
    const seen = await ctx.waitForHeartbeat(hostId, artifact.bundle.version, startedAfter, stop);
    stop?.throwIfAborted(); // no rollback either: the host may be another run's now
    if (!seen) {
      const hadPrevious = facts.result.agent.installed;
      let why = `agent ${artifact.bundle.version} did not report within ${Math.round(ctx.heartbeatTimeoutMs / 1000)} s`;
      if (hadPrevious) {
        const rb = await privileged('sh -s', { stdin: rollbackScript(layout, server.spec.user), timeoutMs: 60_000 });
        why += rb.stdout.includes('rolled-back')
          ? `; rolled back to ${facts.result.agent.version}`
          : `; rollback failed: ${rb.stderr.trim().slice(0, 200)}`;
      } else why += '; check that the host can reach the control plane, and the agent log in ' + dataDirOf(layout.dir);
      throw new DeployError('heartbeat', why);
    }
    await ctx.store.setInstalled(server.id, installedView(artifact, layout, ctx.now()), ctx.now());
    out.message = `agent ${artifact.bundle.version} reporting`;
    return finish(out, conn);
  } catch (err) {
    conn.close();
    throw Object.assign(err as Error, { sshSessions: conn.sessions, bytesUploaded: out.bytesUploaded });
  } finally {
    stop?.removeEventListener('abort', drop);
  }
}

function finish(out: HostOutcome, conn: SshConnection): HostOutcome {
  out.sshSessions = conn.sessions;
  conn.close();
  return out;
}

/** The SSH target of a server's jump server, which must have a recorded host key. */
export async function jumpTargetOf(ctx: DeployContext, server: ServerRecord): Promise<SshTarget | undefined> {
  if (!server.spec.jumpServerId) return undefined;
  const j = await ctx.store.getServer(server.spec.jumpServerId);
  if (!j) throw new DeployError('connect', `jump server ${server.spec.jumpServerId} no longer exists`);
  if (!j.hostKey) throw new DeployError('connect', `jump server ${j.name} has no recorded host key: connect to it once (probe) first`);
  return ctx.servers.target(j);
}

export async function openConnection(
  ctx: DeployContext,
  server: ServerRecord,
  onFirstKey?: (fp: string) => void,
  stop?: AbortSignal,
): Promise<SshConnection> {
  const jump = await jumpTargetOf(ctx, server);
  const conn = await SshConnection.open(ctx.servers.target(server, onFirstKey), {
    ...(jump ? { jump } : {}),
    readyTimeoutMs: ctx.connectTimeoutMs,
    ...(stop ? { stop } : {}),
  });
  try {
    await ctx.servers.recordFirstKey(server);
  } catch (err) {
    conn.close();
    throw err;
  }
  return conn;
}

type SudoMode = { kind: 'none' } | { kind: 'nopasswd' } | { kind: 'password'; password: string };

function sudoMode(server: ServerRecord, facts: ProbeFacts, ctx: DeployContext): SudoMode {
  if (server.spec.become !== 'sudo' || facts.result.root) return { kind: 'none' };
  if (!facts.result.sudo) throw new DeployError('probe', `${server.spec.user} is not root and sudo is not installed on ${server.name}`);
  if (facts.sudoNoPassword) return { kind: 'nopasswd' };
  const password = ctx.servers.secretsOf(server).sudoPassword;
  if (!password) throw new DeployError('probe', `sudo on ${server.name} asks for a password and none is stored for ${server.spec.user}`);
  return { kind: 'password', password };
}

/** Runs as root through sudo when needed; the password goes on stdin (sudo -S), never on the command line. */
async function execAs(conn: SshConnection, sudo: SudoMode, cmd: string, o: Parameters<SshConnection['exec']>[1] = {}): Promise<ExecResult> {
  if (sudo.kind === 'none') return conn.exec(cmd, o);
  if (sudo.kind === 'nopasswd') return conn.exec(`sudo -n -- ${cmd}`, o);
  const stdin = Buffer.concat([Buffer.from(sudo.password + '\n'), o.stdin === undefined ? Buffer.alloc(0) : Buffer.from(o.stdin)]);
  const r = await conn.exec(`sudo -S -k -p '' -- ${cmd}`, { ...o, stdin });
  if (r.code !== 0 && /incorrect password|Sorry, try again|no password was provided/i.test(r.stderr)) {
    throw new DeployError('install', 'sudo refused the stored password');
  }
  return r;
}

function serviceKind(server: ServerRecord, probe: ProbeResult, system: boolean): ServiceKind {
  const want = server.spec.service;
  if (want === 'user') return 'user';
  if (want === 'auto') return system && probe.init !== 'none' ? probe.init : 'user';
  if (!system) throw new DeployError('probe', `a ${want} service needs root: log in as root or set become: sudo`);
  if (probe.init !== want) throw new DeployError('probe', `asked for a ${want} service, but the host's init system is ${probe.init}`);
  return want;
}

function platformTarget(p: ProbeResult): AgentTarget {
  if (p.arch !== 'x64' && p.arch !== 'arm64')
    throw new DeployError('probe', `unsupported architecture ${p.arch}: the agent ships for x86_64 and aarch64`);
  if (p.libc === 'unknown') throw new DeployError('probe', 'cannot tell whether the host uses glibc or musl');
  try {
    return targetFor({ arch: p.arch, libc: p.libc, avx2: p.avx2 });
  } catch (err) {
    throw new DeployError('probe', (err as Error).message);
  }
}

function agentConfig(ctx: DeployContext, server: ServerRecord, l: Layout, token: string): string {
  const url = server.spec.reach === 'tunnel' ? `http://127.0.0.1:${server.spec.tunnelPort}` : ctx.ingestUrl;
  return JSON.stringify(
    { server: url, token, intervalSec: ctx.agentIntervalSec, dataDir: dataDirOf(l.dir), ...ctx.agentExtraConfig },
    null,
    2,
  );
}

function installedView(a: AgentArtifact, l: Layout, at: number): NonNullable<ServerView['installed']> {
  return {
    version: a.bundle.version,
    target: a.target,
    serviceKind: l.service,
    installDir: l.dir,
    runtimeSha256: a.runtime.sha256,
    bundleSha256: a.bundle.sha256,
    at,
  };
}

const fmtMb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
