// The dashboard in a real Chromium against a real server process with a real agent: sign in, add a
// threshold rule, add the host from the Servers page (no SSH) and run a real agent with the token and
// ingest URL the page shows, see the host go from "never seen" to up and the agent's data breach the
// rule without a reload, then acknowledge and resolve the incident, replace the host's agent token
// and remove the host. Screenshots of the main pages go
// to test-artifacts/.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.js';
import { freePort, startAgent, startServer, type AgentProcess, type ServerProcess } from '../helpers/processes.js';
import { sqliteTarget, type StoreTarget } from '../helpers/stores.js';
import { INGEST_PATH } from '../../shared/protocol/wire.js';

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
    // The console's errors: CSP reports (a refused eval, a directive falling back to default-src)
    // and failed loads (a missing favicon) show up here.
    const consoleErrors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(`${m.text()} [${m.location().url}]`)));
    // Refusals the flow causes on purpose: the session check while signed out and the wrong password
    // (401), and the invalid host name (400).
    const deliberate = (e: string) =>
      /status of 401 .*\[[^\]]*\/api\/v1\/auth\/(session|sign-in)\]$/.test(e) || /status of 400 .*\[[^\]]*\/api\/v1\/hosts\]$/.test(e);

    const icon = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/favicon'));
    await page.goto(server.url);
    await page.getByLabel('Name').waitFor();
    expect(new URL((await icon).url()).pathname).toBe('/favicon.svg');
    expect((await icon).status()).toBe(200);
    expect((await icon).headers()['content-type']).toBe('image/svg+xml');
    expect(consoleErrors.filter((e) => !deliberate(e))).toEqual([]);
    await page.getByLabel('Name').fill('owner');
    await page.getByLabel('Password').fill('wrong-password-here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/Cannot sign in/);
    await page.getByLabel('Password').fill('test-password-not-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByTestId('live-status').getByText('Live').waitFor();
    // A signed-in page load logs no console error at all.
    const before = consoleErrors.length;
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByTestId('live-status').getByText('Live').waitFor();
    expect(consoleErrors.slice(before)).toEqual([]);
    await screenshot(page, 'overview-empty');

    // The rule, through the Alerting page: a threshold the agent's CPU always meets.
    await page.getByRole('link', { name: 'Alerting' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name').fill('cpu-busy');
    await form.getByLabel('Severity').selectOption('critical');
    await form.getByLabel('Metric').fill('cpu.usage');
    await form.getByLabel('Series labels').fill('cpu=total');
    await form.getByLabel('Comparator').selectOption('>=');
    await form.getByLabel('Threshold').fill('0');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('table', { name: 'Rules' }).getByText('cpu-busy').waitFor();
    await screenshot(page, 'alerting-rules');

    // The host, added from the Servers page with the keyboard (no SSH): the API's refusal at its field,
    // then the agent token (shown once) and the agent's command. A marker on the window proves the
    // page never reloads from here on, while the host goes up and the incident arrives.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByTestId('open-critical').getByText('0').waitFor();
    await page.getByRole('link', { name: 'Servers' }).click();
    await page.evaluate(() => ((globalThis as any).noReload = true)); // runs in the page: globalThis is its window
    const addHost = page.getByRole('button', { name: 'Add a host (run the agent yourself)' });
    await addHost.focus();
    await page.keyboard.press('Enter');
    const hostForm = page.getByRole('form', { name: 'Add a host (run the agent yourself)' });
    await page.keyboard.type('not a host name'); // the Name field has the focus
    await page.keyboard.press('Tab');
    await page.keyboard.type('role=web');
    await page.keyboard.press('Enter');
    await expect.poll(() => hostForm.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    await hostForm.getByText(/letters, digits, and _ \. -/).waitFor();
    await screenshot(page, 'servers-add-host-form');
    await hostForm.getByLabel('Name').fill('e2e-web-1');
    await hostForm.getByLabel('Name').press('Enter');

    const setup = page.getByTestId('agent-setup');
    await setup.getByRole('heading', { name: 'Run the agent on e2e-web-1' }).waitFor();
    await setup.getByText(/it is not shown again/).waitFor();
    const token = (await setup.getByTestId('agent-token').textContent())!;
    expect(token).toMatch(/^wt_/);
    await expect.poll(() => setup.getByTestId('ingest-url').textContent()).toBe(server.ingestUrl); // the ingest listener…
    expect(new URL(server.ingestUrl).port).not.toBe(new URL(server.url).port); // …not the page's own address
    const command = (await setup.getByTestId('agent-command-checkout').textContent())!;
    expect(command).toBe(`npm run agent -- --server ${server.ingestUrl} --token ${token} --data-dir ./agent-data`);
    expect(await setup.getByTestId('agent-command-artifact').textContent()).toBe(
      `./watchtower-agent --server ${server.ingestUrl} --token ${token} --data-dir ./agent-data`,
    );
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await setup.getByRole('button', { name: 'Copy agent token' }).click();
    await setup.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(token);
    // In the list at once, before any agent runs.
    const hostRow = page.getByRole('table', { name: 'Hosts' }).getByRole('row').filter({ hasText: 'e2e-web-1' });
    await expect.poll(() => hostRow.textContent()).toMatch(/never seen/);
    expect(await setup.getByTestId('new-host-status').textContent()).toBe('never seen');
    await screenshot(page, 'servers-add-host');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await screenshot(page, 'servers-add-host-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();

    // A real agent, run with the --server and --token the page shows: the host goes up live, and its
    // first batches breach the rule.
    const shown = /--server (\S+) --token (\S+)/.exec(command)!;
    agent = startAgent({ server: shown[1]!, token: shown[2]!, dataDir: join(dir, 'agent') });
    await expect.poll(() => setup.getByTestId('new-host-status').textContent(), { timeout: 30_000 }).toBe('up');
    await expect.poll(() => hostRow.textContent(), { timeout: 15_000 }).toMatch(/up/);
    await screenshot(page, 'servers-host-up');
    await setup.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => addHost.evaluate((el) => el === (globalThis as any).document.activeElement)).toBe(true); // focus back
    expect(await page.getByTestId('agent-token').count()).toBe(0); // gone: shown once

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByTestId('open-critical').getByText('1').waitFor({ timeout: 30_000 });
    await page.getByTestId('hosts-up').getByText('1').waitFor({ timeout: 15_000 });
    await screenshot(page, 'overview');

    await page.getByRole('link', { name: 'Incidents', exact: true }).click();
    const row = page.locator('[data-testid="incident-list"] tr[data-status="triggered"]').first();
    await row.waitFor();
    await screenshot(page, 'incidents');
    await row.getByRole('link').click();
    await page.getByTestId('incident-status').getByText('triggered').waitFor();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByTestId('incident-status').getByText('acknowledged').waitFor();
    await screenshot(page, 'incident-detail');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByTestId('incident-status').getByText('resolved').waitFor();
    expect(await page.evaluate(() => (globalThis as any).noReload)).toBe(true);

    await page.getByRole('link', { name: 'Servers' }).click();
    await page.getByRole('link', { name: 'e2e-web-1' }).first().waitFor();
    await expect
      .poll(() => page.getByRole('row').filter({ hasText: 'e2e-web-1' }).first().textContent(), { timeout: 20_000 })
      .toMatch(/up/);
    await screenshot(page, 'servers');
    await page.getByRole('link', { name: 'e2e-web-1' }).first().click();
    await page.getByRole('heading', { name: /e2e-web-1/ }).waitFor();
    await page.getByText('cpu.usage — CPU busy time').waitFor();
    await screenshot(page, 'server-detail');

    // Replace the agent token (it leaked): asked first, the new one shown once with its commands,
    // the old one refused by ingest from then on.
    const ingestAs = (t: string) =>
      fetch(new URL(INGEST_PATH, server.ingestUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body: '{}',
      });
    await page.getByRole('button', { name: 'Replace agent token…' }).click();
    await page.getByRole('button', { name: 'Replace the token' }).click();
    const replaced = page.getByTestId('replaced-token');
    const newToken = (await replaced.getByTestId('agent-token').textContent())!;
    expect(newToken).toMatch(/^wt_/);
    expect(newToken).not.toBe(token);
    expect(await replaced.getByTestId('agent-command-checkout').textContent()).toContain(`--token ${newToken} `);
    expect((await ingestAs(token)).status).toBe(401);
    expect((await ingestAs(newToken)).status).toBe(400); // known token; the empty batch is what is refused
    await screenshot(page, 'server-token-replaced');
    await replaced.getByRole('button', { name: 'Done' }).click();

    // Remove it: asked first, then back to the list without it.
    await page.getByRole('button', { name: 'Remove host e2e-web-1' }).click();
    await page.getByRole('button', { name: 'Remove host e2e-web-1?' }).click();
    await page.getByRole('heading', { name: 'Servers', exact: true, level: 1 }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'e2e-web-1' }).count()).toBe(0);
    expect((await server.api('GET', '/api/v1/hosts')).body.hosts).toEqual([]);
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    await screenshot(page, 'reports');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByRole('button', { name: /Switch to dark theme/ }).click();
    await screenshot(page, 'settings-dark');

    // Sign-out ends the session on the server: the page goes back to sign-in, and stays there on reload.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();

    expect(pageErrors).toEqual([]);
    expect(consoleErrors.filter((e) => !deliberate(e))).toEqual([]);
  });
});
