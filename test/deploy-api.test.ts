// The deployer's HTTP API on both stores: credentials go in and never come out (not in answers, not
// in clear in the database), bad input gets field errors, SSH failures are 502 with the reason, and
// a deploy started over the API runs to a heartbeat.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { LiveClient } from './helpers/live.js';
import { STORE_TARGETS, type StoreTarget } from './helpers/stores.js';
import { freePort, sshdAvailable, startSshd, type SshdHost } from './helpers/sshd.js';

describe.skipIf(!sshdAvailable()).each(STORE_TARGETS.map((t) => [t.name.replace(/Target$/, ''), t]))('deploy API on %s', (_n, make) => {
  let target: StoreTarget;
  let app: TestApp;
  let h: SshdHost;

  beforeAll(async () => {
    target = make();
    [app, h] = await Promise.all([startTestApp(target, { deploy: { agentIntervalSec: 1 } }), startSshd()]);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await h?.cleanup();
    await target?.cleanup();
  });

  test('a server keeps its password sealed and never shows it', async () => {
    const res = await app.api('POST', '/api/v1/servers', {
      name: 'web-1',
      host: h.host,
      port: h.port,
      user: h.user,
      auth: { kind: 'password', password: h.password },
    });
    expect(res.status).toBe(201);
    expect(res.body.server).toMatchObject({
      name: 'web-1',
      auth: { kind: 'password', keyFile: null },
      hostKey: null,
      reach: 'direct',
      installed: null,
    });
    expect(JSON.stringify(res.body)).not.toContain(h.password);
    const list = await app.api('GET', '/api/v1/servers');
    expect(JSON.stringify(list.body)).not.toContain(h.password);
    const rows = await app.store.sql.all<{ sealed_secrets: string; spec: string }>('SELECT sealed_secrets, spec FROM deploy_servers');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.sealed_secrets).toMatch(/^wts1\./);
    expect(rows[0]!.sealed_secrets + rows[0]!.spec).not.toContain(h.password);
  });

  test.each([
    [{ name: 'x', host: '127.0.0.1', user: 'a', auth: { kind: 'key' } }, 'auth'],
    [
      { name: 'x', host: '127.0.0.1', user: 'a', auth: { kind: 'password', password: 'p' }, hostKeyFingerprint: 'MD5:aa' },
      'hostKeyFingerprint',
    ],
    [{ name: 'x', host: '127.0.0.1', user: 'a', auth: { kind: 'password', password: 'p' }, reach: 'tunnel' }, 'tunnelPort'],
    [{ name: 'x', host: 'a b', user: 'a', auth: { kind: 'password', password: 'p' } }, 'host'],
    [{ name: 'x', host: '127.0.0.1', user: 'a', auth: { kind: 'key', keyFile: '/nonexistent/id' } }, 'auth.keyFile'],
    [{ name: 'web-1', host: '127.0.0.1', user: 'a', auth: { kind: 'password', password: 'p' } }, 'name'],
  ])('bad server input → 400 naming the field (%#)', async (body, path) => {
    const res = await app.api('POST', '/api/v1/servers', body);
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  test('probe, deploy, run progress and host key over the API', async () => {
    const id = (await app.api('GET', '/api/v1/servers')).body.servers[0].id;
    const probe = await app.api('POST', `/api/v1/servers/${id}/probe`);
    expect(probe.status).toBe(200);
    expect(probe.body.probe).toMatchObject({ arch: 'x64', init: 'none' });
    expect((await app.api('GET', `/api/v1/servers/${id}`)).body.server.hostKey).toMatchObject({
      fingerprint: h.fingerprint,
      source: 'tofu',
    });

    const live = await LiveClient.connect(app.url, { authorization: `Bearer ${app.owner.apiToken}` });
    const started = await app.api('POST', '/api/v1/deploys', { serverIds: [id] });
    expect(started.status).toBe(202);
    expect(started.body.run).toMatchObject({ action: 'install', status: 'running', summary: { total: 1 } });
    let run;
    await expect
      .poll(async () => ((run = (await app.api('GET', `/api/v1/deploys/${started.body.run.id}`)).body.run), run.status), {
        timeout: 60_000,
        interval: 500,
      })
      .toBe('ok');
    expect(run!).toMatchObject({ summary: { total: 1, ok: 1, failed: 0, changed: 1 }, targets: [{ step: 'done', sshSessions: 3 }] });
    // The dashboard's progress bars: each step reached the live stream, upload with percentages.
    await live.waitFor('deploy.progress', (m) => m.payload.step === 'done');
    const steps = live.events('deploy.progress').map((m) => m.payload);
    expect(new Set(steps.map((p) => p.step))).toEqual(new Set(['connect', 'probe', 'upload', 'install', 'start', 'heartbeat', 'done']));
    expect(steps.every((p) => p.runId === started.body.run.id && p.serverId === id)).toBe(true);
    expect(steps.filter((p) => p.step === 'upload').map((p) => p.percent)).toContain(100);
    await live.close();
    const server = (await app.api('GET', `/api/v1/servers/${id}`)).body.server;
    expect(server.installed).toMatchObject({ serviceKind: 'user' });
    expect((await app.api('GET', `/api/v1/hosts/${server.hostId}`)).body.host.status).toBe('up');
    expect((await app.api('GET', '/api/v1/deploys')).body.runs[0].id).toBe(started.body.run.id);

    // A replaced agent token (the old one leaked, say) locks the agent out until the next deploy,
    // which must notice the token it holds is revoked and install a new one, not call it unchanged.
    expect((await app.api('POST', `/api/v1/hosts/${server.hostId}/token`)).status).toBe(200);
    const rotatedAt = Date.now();
    const again = await app.api('POST', '/api/v1/deploys', { serverIds: [id] });
    const after = (await app.deploy.deployer.wait(again.body.run.id))!;
    expect(after).toMatchObject({ status: 'ok', targets: [{ changed: true, sshSessions: 2 }] });
    const host = (await app.api('GET', `/api/v1/hosts/${server.hostId}`)).body.host;
    expect(host).toMatchObject({ status: 'up', lastSeenAt: expect.any(Number) });
    expect(host.lastSeenAt).toBeGreaterThan(rotatedAt);

    const un = await app.api('POST', '/api/v1/deploys', { action: 'uninstall', serverIds: [id] });
    await app.deploy.deployer.wait(un.body.run.id);
    expect((await app.api('GET', `/api/v1/deploys/${un.body.run.id}`)).body.run.status).toBe('ok');
  }, 90_000);

  test('a run left running by a crash is marked interrupted at the next start (single instance)', async () => {
    const { DeployService } = await import('../core/deploy/service.js');
    const { testSecretBox } = await import('./helpers/deploy.js');
    const pino = (await import('pino')).default;
    const svc = new DeployService({
      store: app.store,
      box: testSecretBox(),
      coordination: { publish: async () => 0 },
      log: pino({ level: 'silent' }),
      ingestUrl: app.ingestUrl,
      recoverInterruptedRuns: true,
    });
    const target = (status: 'ok' | 'running' | 'pending') => ({
      serverId: `s-${status}`,
      name: status,
      host: 'h',
      status,
      step: null,
      percent: null,
      message: null,
      error: null,
      changed: null,
      bytesUploaded: 0,
      sshSessions: 0,
      startedAt: null,
      finishedAt: null,
    });
    await svc.store.saveRun({
      id: 'run_crashed',
      action: 'install',
      status: 'running',
      concurrency: 2,
      startedAt: 1,
      finishedAt: null,
      targets: [target('ok'), target('running'), target('pending')],
    });
    await svc.start();
    const run = (await app.api('GET', '/api/v1/deploys/run_crashed')).body.run;
    expect(run.status).toBe('partial');
    expect(run.targets.map((t: { status: string }) => t.status)).toEqual(['ok', 'failed', 'failed']);
    expect(run.targets[1].error).toMatch(/interrupted/);
    await svc.stop();
  });

  test('SSH failures are 502 with the reason; unknown ids are 404 / 400', async () => {
    const closed = await freePort();
    const s = await app.api('POST', '/api/v1/servers', {
      name: 'gone',
      host: '127.0.0.1',
      port: closed,
      user: 'a',
      auth: { kind: 'password', password: 'p' },
    });
    const probe = await app.api('POST', `/api/v1/servers/${s.body.server.id}/probe`);
    expect(probe.status).toBe(502);
    expect(probe.body.error.message).toMatch(/connection refused/);
    expect((await app.api('GET', '/api/v1/servers/nope')).status).toBe(404);
    expect((await app.api('GET', '/api/v1/deploys/nope')).status).toBe(404);
    const bad = await app.api('POST', '/api/v1/deploys', { serverIds: ['nope'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('no server nope');
  });

  test('pin and forget a host key; delete a server', async () => {
    const id = (await app.api('GET', '/api/v1/servers')).body.servers.find((s: { name: string }) => s.name === 'web-1').id;
    const fp = 'SHA256:' + 'B'.repeat(43);
    expect((await app.api('PUT', `/api/v1/servers/${id}/host-key`, { fingerprint: fp })).body.server.hostKey).toMatchObject({
      fingerprint: fp,
      source: 'pinned',
    });
    const probe = await app.api('POST', `/api/v1/servers/${id}/probe`);
    expect(probe.status).toBe(502);
    expect(probe.body.error.message).toContain(`recorded ${fp}, the server presented ${h.fingerprint}`);
    const scan = await app.api('POST', `/api/v1/servers/${id}/host-key/scan`);
    expect(scan.body).toMatchObject({ fingerprint: h.fingerprint, recorded: fp, matches: false });
    expect((await app.api('DELETE', `/api/v1/servers/${id}/host-key`)).body.server.hostKey).toBeNull();
    expect((await app.api('DELETE', `/api/v1/servers/${id}`)).body).toEqual({ deleted: true });
    expect((await app.api('GET', `/api/v1/servers/${id}`)).status).toBe(404);
  });
});
