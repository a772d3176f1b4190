// The incident engine through the HTTP API on both stores: configuration with validation errors at
// the field, incidents from ingest to webhook, the lifecycle, and PagerDuty-style events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, makeBatch, startTestApp, type TestApp } from './helpers/app.js';
import { STORE_TARGETS, type StoreTarget } from './helpers/stores.js';
import { Receiver } from './helpers/timeline.js';
import { waitFor } from './helpers/processes.js';

describe.each(STORE_TARGETS.map((t) => [t().name, t] as const))('alerting API on %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let app: TestApp;
  let receiver: Receiver;
  let host: { id: string; token: string };

  beforeAll(async () => {
    receiver = new Receiver();
    await receiver.listen();
    target = makeTarget();
    app = await startTestApp(target);
    host = await app.addHost('web-1');
  });
  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
    await target?.cleanup();
  });

  const ok = async (method: string, path: string, body?: unknown, status = 200) => {
    const res = await app.api(method, path, body);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body;
  };

  it('configures channels, policies and rules, with errors at the field', async () => {
    const channel = await ok(
      'POST',
      '/api/v1/channels',
      { name: 'ops', type: 'webhook', settings: { url: `${receiver.url}/ops`, secret: 'top-secret-1' } },
      201,
    );
    expect(channel.item.spec.settings.secret).toBe('••••••');
    await ok('POST', '/api/v1/policies', { name: 'oncall', levels: [{ channels: ['ops'] }, { delay: '10m', channels: ['ops'] }] }, 201);
    const rule = await ok(
      'POST',
      '/api/v1/rules',
      { name: 'High CPU', kind: 'threshold', metric: 'cpu.usage', op: '>', value: 90, for: '5m', policy: 'oncall' },
      201,
    );
    expect(rule.item.spec).toMatchObject({ for: '5m', kind: 'threshold', policy: 'oncall' });

    const bad: [string, unknown, number, string][] = [
      ['/api/v1/rules', { name: 'x', kind: 'threshold', metric: 'cpu.nope', op: '>', value: 1 }, 400, 'metric'],
      ['/api/v1/rules', { name: 'x', kind: 'event', pattern: '(unclosed' }, 400, 'pattern'],
      ['/api/v1/rules', { name: 'x', kind: 'threshold', metric: 'cpu.usage', op: '>', value: 1, for: '-5m' }, 400, 'for'],
      ['/api/v1/rules', { name: 'x', kind: 'heartbeat', after: 'soon' }, 400, 'after'],
      ['/api/v1/rules', { name: 'x', kind: 'threshold', metric: 'cpu.usage', op: '>', value: 1, policy: 'nobody' }, 400, 'policy'],
      ['/api/v1/rules', { name: 'x', kind: 'sometimes' }, 400, 'kind'],
      ['/api/v1/rules', { name: 'High CPU', kind: 'heartbeat', after: '1m' }, 409, 'name'],
      ['/api/v1/policies', { name: 'p', levels: [{ channels: ['pager'] }] }, 400, 'levels[0].channels[0]'],
      ['/api/v1/policies', { name: 'p', levels: [] }, 400, 'levels'],
      ['/api/v1/channels', { name: 'c', type: 'webhook', settings: { url: 'ftp://x' } }, 400, 'settings.url'],
      [
        '/api/v1/channels',
        { name: 'c', type: 'email', settings: { host: 'smtp', from: 'a@b.c', to: ['not-an-address'] } },
        400,
        'settings.to[0]',
      ],
      ['/api/v1/silences', { name: 's', startsAt: 10, endsAt: 5 }, 400, 'endsAt'],
    ];
    for (const [path, body, status, field] of bad) {
      const res = await app.api('POST', path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
    // What the rule form shows at its fields: plain words, not zod's "expected number, received undefined".
    const plain = await app.api('POST', '/api/v1/rules', { name: '', kind: 'threshold', metric: 'cpu.usage', op: '>', severity: 'crit' });
    expect(plain.body.error.issues).toEqual(
      expect.arrayContaining([
        { path: 'name', message: 'must not be empty' },
        { path: 'severity', message: 'expected one of critical, warning, info, got "crit"' },
        { path: 'value', message: 'required' },
      ]),
    );
    expect((await ok('GET', '/api/v1/rules')).items).toHaveLength(1);
  });

  it('round-trips what GET returns through PUT, keeping secrets', async () => {
    for (const kind of ['rules', 'policies', 'channels']) {
      const [item] = (await ok('GET', `/api/v1/${kind}`)).items;
      const put = await ok('PUT', `/api/v1/${kind}/${item.id}`, item.spec);
      expect(put.item.spec).toEqual(item.spec);
    }
    const test = await ok('POST', '/api/v1/channels/ops/test');
    expect(test).toMatchObject({ ok: true, detail: 'HTTP 200' });
    expect(receiver.received.at(-1)!.event).toBe('test');
    const inUse = await app.api('DELETE', `/api/v1/channels/ops`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.message).toMatch(/used by escalation policies "oncall"/);
  });

  it('turns a breaching batch into an incident and a webhook call, then takes it through its lifecycle', async () => {
    await ok(
      'POST',
      '/api/v1/rules',
      { name: 'Load', kind: 'threshold', metric: 'load.1', op: '>', value: 5, policy: 'oncall', severity: 'critical' },
      201,
    );
    const before = receiver.received.length;
    const batch = { ...makeBatch({ series: 0 }), series: [{ name: 'load.1', ts: [Date.now()], values: [12] }] };
    expect((await app.post(host.token, json(batch))).status).toBe(200);
    await waitFor('the webhook', () => receiver.received.length > before, 5000);
    expect(receiver.received.at(-1)!.body.incident).toMatchObject({ title: 'Load on web-1', status: 'triggered' });
    const [incident] = (await ok('GET', '/api/v1/incidents?status=triggered')).incidents;
    expect(incident).toMatchObject({ severity: 'critical', hostId: host.id, value: 12 });

    await ok('POST', `/api/v1/incidents/${incident.id}/acknowledge`, { by: 'alice' });
    await ok('POST', `/api/v1/incidents/${incident.id}/notes`, { by: 'alice', text: 'looking' }, 201);
    const resolved = await ok('POST', `/api/v1/incidents/${incident.id}/resolve`, { by: 'alice' });
    expect(resolved.incident).toMatchObject({ status: 'resolved', acknowledgedBy: 'alice', resolvedBy: 'alice', resolution: 'manual' });
    // Whoever was paged hears of the resolve too; that delivery runs after the API has answered.
    let detail = await ok('GET', `/api/v1/incidents/${incident.id}`);
    for (const deadline = Date.now() + 5000; detail.timeline.length < 6 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 50));
      detail = await ok('GET', `/api/v1/incidents/${incident.id}`);
    }
    expect(receiver.received.at(-1)!.body.incident).toMatchObject({ status: 'resolved' });
    expect(detail.timeline.map((e: { type: string }) => e.type)).toEqual([
      'triggered',
      'notified',
      'acknowledged',
      'note',
      'resolved',
      'notified',
    ]);
    expect(detail.deliveries.find((d: { event: string }) => d.event === 'triggered')).toMatchObject({ status: 'sent', channelName: 'ops' });
    expect((await app.api('GET', '/api/v1/incidents/inc_nope')).status).toBe(404);
    const stats = await ok('GET', `/api/v1/incident-stats?by=host&from=0&to=${Date.now() + 1000}`);
    expect(stats.stats).toContainEqual(expect.objectContaining({ group: host.id, incidents: 1, acknowledged: 1, resolved: 1 }));
  });

  it('accepts PagerDuty-style events with dedup keys', async () => {
    const trigger = {
      event_action: 'trigger',
      routing_key: 'oncall',
      dedup_key: 'disk-db-1',
      payload: { summary: 'Disk full on db-1', source: 'db-1', severity: 'error' },
    };
    expect(await ok('POST', '/api/v1/events', trigger, 202)).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'disk-db-1',
    });
    await ok('POST', '/api/v1/events', trigger, 202);
    const [open] = (await ok('GET', '/api/v1/incidents?status=triggered')).incidents;
    expect(open).toMatchObject({ source: 'external', dedupKey: 'disk-db-1', count: 2, severity: 'critical', title: 'Disk full on db-1' });
    await ok('POST', '/api/v1/events', { event_action: 'acknowledge', dedup_key: 'disk-db-1' }, 202);
    await ok('POST', '/api/v1/events', { event_action: 'resolve', dedup_key: 'disk-db-1' }, 202);
    expect((await ok('GET', `/api/v1/incidents/${open.id}`)).incident).toMatchObject({
      status: 'resolved',
      resolution: 'external',
      acknowledgedBy: 'events-api',
    });
    await ok('POST', '/api/v1/events', trigger, 202);
    expect((await ok('GET', '/api/v1/incidents?status=triggered')).incidents[0].id).not.toBe(open.id); // a new alert after resolve
    const noKey = await ok(
      'POST',
      '/api/v1/events',
      { event_action: 'trigger', payload: { summary: 's', source: 'x', severity: 'info' } },
      202,
    );
    expect(noKey.dedup_key).toMatch(/^[0-9a-f]{24}$/);
    for (const [body, field] of [
      [{ event_action: 'trigger' }, 'payload'],
      [{ event_action: 'resolve' }, 'dedup_key'],
      [{ event_action: 'explode', dedup_key: 'x' }, 'event_action'],
      [{ event_action: 'trigger', payload: { summary: 's', source: 'x', severity: 'fatal' } }, 'payload.severity'],
    ] as const) {
      const res = await app.api('POST', '/api/v1/events', body);
      expect(res.status).toBe(400);
      expect(res.body.error.issues[0].path).toBe(field);
    }
  });

  it('opens a test incident that notifies through the chosen policy', async () => {
    const before = receiver.received.length;
    const { incident } = await ok('POST', '/api/v1/incidents/test', { policy: 'oncall', title: 'Is the pager on?' }, 201);
    expect(incident).toMatchObject({ source: 'test', title: 'Is the pager on?', status: 'triggered' });
    await waitFor('the test notification', () => receiver.received.length > before, 5000);
    expect((await app.api('POST', '/api/v1/incidents/test', { policy: 'nobody' })).status).toBe(400);
  });

  it('exports the configuration as YAML and imports it back as a no-op; imports validate and diff first', async () => {
    const { yaml } = await ok('GET', '/api/v1/config');
    expect(yaml).toContain('name: High CPU');
    expect(yaml).not.toContain('top-secret-1');
    const again = await ok('POST', '/api/v1/config', { yaml });
    expect(again.applied).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(again.changes.every((c: { action: string }) => c.action === 'unchanged')).toBe(true);

    const doc = `version: 1
rules:
  - name: Disk almost full
    kind: threshold
    metric: disk.used_percent
    op: '>'
    value: 90
    for: 10m
    policy: oncall
`;
    const dry = await ok('POST', '/api/v1/config', { yaml: doc, dryRun: true });
    expect(dry).toMatchObject({ applied: null, changes: [{ kind: 'rule', name: 'Disk almost full', action: 'create' }] });
    expect(dry.diff).toContain('+ rule "Disk almost full"');
    expect((await ok('GET', '/api/v1/rules')).items.map((r: { name: string }) => r.name)).not.toContain('Disk almost full');
    expect((await ok('POST', '/api/v1/config', { yaml: doc })).applied).toEqual({ created: 1, updated: 0, deleted: 0 });
    expect((await ok('GET', '/api/v1/rules/Disk almost full')).item.spec).toMatchObject({ for: '10m' });

    const bad = await app.api('POST', '/api/v1/config', { yaml: doc.replace('10m', '-10m').replace('oncall', 'nobody') });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['rules[0].for', 'rules[0].policy']);
    expect(bad.body.error.issues[0].message).toMatch(/line \d+/);
  });
});
