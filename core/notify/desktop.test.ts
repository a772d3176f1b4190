import { describe, expect, it } from 'vitest';
import { MemoryCoordination } from '../bus/memory/coordination.js';
import { DESKTOP_TOPIC, createChannelSender, type DesktopNotification } from './index.js';
import { sampleNotification } from './test-servers.js';

describe('desktop channel', () => {
  it('publishes the rendered notification on the bus for the desktop shell', async () => {
    const bus = new MemoryCoordination();
    const seen = new Promise<unknown>((resolve) => void bus.subscribe(DESKTOP_TOPIC, resolve));
    await new Promise((r) => setImmediate(r));
    const sender = createChannelSender({ name: 'desktop', type: 'desktop', settings: {} }, { publish: (t, p) => bus.publish(t, p) });
    expect(await sender.send(sampleNotification())).toEqual({ ok: true, detail: `published on ${DESKTOP_TOPIC}` });
    expect(await seen).toEqual({
      title: '[CRITICAL] TRIGGERED: Disk almost full on web-1',
      body: 'Disk / is 97% full (threshold 90%).',
      severity: 'critical',
      incidentId: 'inc_42',
      event: 'triggered',
      url: 'https://watchtower.example/incidents/inc_42',
    } satisfies DesktopNotification);
    await bus.close();
  });

  it('succeeds headless with nobody listening, and a failing bus is retryable', async () => {
    const bus = new MemoryCoordination();
    const sender = createChannelSender({ name: 'desktop', type: 'desktop', settings: {} }, { publish: (t, p) => bus.publish(t, p) });
    expect((await sender.send(sampleNotification())).ok).toBe(true);
    await bus.close();
    expect(await sender.send(sampleNotification())).toMatchObject({ ok: false, retryable: true });
  });
});
