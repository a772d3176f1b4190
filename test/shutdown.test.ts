// Shutdown has a deadline: a client that started a request and never finished it is cut after the
// grace period instead of holding the server open.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SHUTDOWN_GRACE_MS } from '../core/api/shutdown.js';
import { startTestApp } from './helpers/app.js';
import { sqliteTarget } from './helpers/stores.js';

describe('shutdown', () => {
  it('cuts connections still busy after the grace period, on the API and ingest listeners', async () => {
    const target = sqliteTarget();
    const app = await startTestApp(target);
    const stalled = [app.url, app.ingestUrl].map((base) => {
      const { hostname, port } = new URL(base);
      const socket = connect(Number(port), hostname);
      // Headers promise a body that never comes: the request stays in progress.
      socket.write(`POST /api/v1/hosts HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
      return new Promise<void>((resolve) => socket.on('close', () => resolve()));
    });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await app.stop();
    await Promise.all(stalled);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SHUTDOWN_GRACE_MS - 100);
    await target.cleanup();
  });
});
