// The alerting, incident, report and settings pages in a real Chromium against a real server
// process: create a rule through the form (the API's validation error shown at the field first),
// a webhook channel with "send test" against a real receiver, a test incident acknowledged, noted
// and resolved from its page, a YAML edit previewed then applied, then reports and settings (an
// API token created once and revoked). Screenshots go to test-artifacts/.
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.js';
import { freePort, startServer, type ServerProcess } from '../helpers/processes.js';
import { sqliteTarget, type StoreTarget } from '../helpers/stores.js';

describe('dashboard: alerting config, incidents, reports and settings pages', () => {
  let target: StoreTarget;
  let server: ServerProcess;
  let browser: TestBrowser;
  let receiver: Server;
  const received: unknown[] = [];
  let hookUrl = '';

  beforeAll(async () => {
    target = sqliteTarget();
    const dir = mkdtempSync(join(tmpdir(), 'wt-e2e-config-'));
    server = await startServer(target, join(dir, 'server'), { api: await freePort(), ingest: await freePort() });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => receiver?.close(r));
    await server?.stop();
    await target?.cleanup();
  });

  it('creates a rule through the form, fixing the field the API refused', { timeout: 120_000 }, async () => {
    const { page } = browser;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto(server.url);
    await page.getByLabel('Name').fill('owner');
    await page.getByLabel('Password').fill('test-password-not-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    await page.getByRole('link', { name: 'Alerting' }).click();
    await page.getByRole('heading', { name: 'No rules yet' }).waitFor();
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name').fill('High CPU');
    await form.getByLabel('Metric').fill('cpu.usge');
    await form.getByLabel('Threshold').fill('90');
    await form.getByLabel('For', { exact: true }).fill('2m');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const metricError = form.locator('.field', { has: page.getByLabel('Metric') }).getByRole('alert');
    await expect.poll(() => metricError.textContent()).toMatch(/unknown metric "cpu.usge"/);
    expect(await form.getByLabel('Metric').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'rule-form-field-error');

    await form.getByLabel('Metric').fill('cpu.usage');
    await form.getByLabel('Series labels').fill('cpu=total');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved rule “High CPU”.' }).waitFor();
    await expect.poll(() => page.getByRole('row', { name: /High CPU/ }).textContent()).toMatch(/cpu\.usage\{cpu=total\} > 90 for 2m/);
    const stored = await server.api('GET', '/api/v1/rules/High%20CPU');
    expect(stored.body.item.spec).toMatchObject({ metric: 'cpu.usage', match: { cpu: 'total' }, value: 90, for: '2m' });
    await screenshot(page, 'rules');
    expect(pageErrors).toEqual([]);
  });

  it('adds a webhook channel and a policy, and "send test" reaches the receiver', { timeout: 60_000 }, async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'New channel' }).click();
    const form = page.getByRole('form', { name: 'New channel' });
    await form.getByLabel('Name').fill('ops-hook');
    await form.getByLabel('URL').fill('not a url');
    await form.getByRole('button', { name: 'Create channel' }).click();
    await expect
      .poll(() =>
        form
          .locator('.field', { has: page.getByLabel('URL') })
          .getByRole('alert')
          .textContent(),
      )
      .toMatch(/http\(s\) URL/);
    await form.getByLabel('URL').fill(hookUrl);
    await form.getByRole('button', { name: 'Create channel' }).click();
    await page.getByRole('row', { name: /ops-hook/ }).waitFor();
    await page.getByRole('button', { name: 'Send a test through ops-hook' }).click();
    await expect
      .poll(() =>
        page
          .getByRole('row', { name: /ops-hook/ })
          .getByRole('status')
          .textContent(),
      )
      .toMatch(/^Sent/);
    expect(received.length).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'channels');

    await page.getByRole('link', { name: 'Escalation policies' }).click();
    await page.getByRole('button', { name: 'New policy' }).click();
    const policy = page.getByRole('form', { name: 'New escalation policy' });
    await policy.getByLabel('Name').fill('oncall');
    await policy.getByLabel('ops-hook').check();
    await policy.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('row', { name: /oncall/ }).waitFor();

    // A silence whose window ends before it starts: the API's refusal lands under "Until".
    await page.getByRole('link', { name: 'Silences' }).click();
    await page.getByRole('button', { name: 'New silence' }).click();
    const silence = page.getByRole('form', { name: 'New silence' });
    await silence.getByLabel('Name').fill('db maintenance');
    await silence.getByLabel('From', { exact: true }).fill('2030-01-02T03:00');
    await silence.getByLabel('Until', { exact: true }).fill('2030-01-01T03:00');
    await silence.getByLabel('Hosts').fill('db-1');
    await silence.getByRole('button', { name: 'Create silence' }).click();
    const untilError = silence.locator('.field', { has: page.getByLabel('Until', { exact: true }) }).getByRole('alert');
    await expect.poll(() => untilError.textContent()).toBe('must be after startsAt');
    await silence.getByLabel('Until', { exact: true }).fill('2030-01-02T05:00');
    await silence.getByRole('button', { name: 'Create silence' }).click();
    await page.getByRole('row', { name: /db maintenance/ }).waitFor();
    await screenshot(page, 'silences');
  });

  it('triggers a test incident, acknowledges it, adds a note and resolves it', { timeout: 60_000 }, async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('heading', { name: 'No open incidents' }).waitFor();
    await page.getByRole('button', { name: 'Trigger a test incident' }).click();
    const form = page.getByRole('form', { name: 'Trigger a test incident' });
    await form.getByLabel('Title').fill('Checking the pager');
    await form.getByLabel('Notify through').selectOption('oncall');
    await form.getByRole('button', { name: 'Trigger' }).click();
    await page.getByRole('heading', { name: /Checking the pager/ }).waitFor();
    const status = page.getByTestId('incident-status');
    expect(await status.textContent()).toBe('triggered');
    await page.getByRole('list', { name: 'Timeline' }).getByText('Triggered').waitFor();

    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => status.textContent()).toBe('acknowledged');
    await page.getByLabel('Add a note').fill('pager works, closing');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('list', { name: 'Timeline' }).getByText('pager works, closing').waitFor();
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => status.textContent()).toBe('resolved');
    const types = await page.locator('.timeline-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types).toEqual(expect.arrayContaining(['triggered', 'acknowledged', 'note', 'resolved']));
    await screenshot(page, 'incident-detail');

    await page.getByRole('link', { name: '← Incidents' }).click();
    await page.getByLabel('resolved').check();
    await page.getByRole('link', { name: 'Checking the pager' }).waitFor();

    // Live, without a reload: an incident opened elsewhere appears, and its acknowledgement shows.
    const opened = await server.api('POST', '/api/v1/incidents/test', { title: 'Opened from a script', severity: 'critical' });
    expect(opened.status).toBe(201);
    const row = page.getByRole('row', { name: /Opened from a script/ });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-status')).toBe('triggered');
    await server.api('POST', `/api/v1/incidents/${opened.body.incident.id}/acknowledge`, { by: 'script' });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('acknowledged');
    await screenshot(page, 'incidents');
    await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
    await screenshot(page, 'incidents-other-theme');
    await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
  });

  it('edits the YAML, previews the diff, applies it', { timeout: 60_000 }, async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Alerting' }).click();
    await page.getByRole('link', { name: 'YAML' }).click();
    const editor = page.getByLabel('Configuration document');
    await expect.poll(() => editor.inputValue()).toMatch(/name: High CPU/);
    // A change made elsewhere while the export is cached shows when the page opens again.
    await page.getByRole('link', { name: 'Rules' }).click();
    expect((await server.api('POST', '/api/v1/rules', { kind: 'heartbeat', name: 'Host down', after: '2m' })).status).toBe(201);
    await page.getByRole('link', { name: 'YAML' }).click();
    await expect.poll(() => editor.inputValue()).toMatch(/name: Host down/);
    const text = await editor.inputValue();
    // A bad duration: refused with its path and line, and "Go to line" puts the caret there.
    await editor.fill(text.replace(/for: 2m\b/, 'for: -3m'));
    await page.getByRole('button', { name: 'Check changes' }).click();
    const problem = page.getByRole('alert').filter({ hasText: 'The document is not valid' });
    await expect.poll(() => problem.textContent()).toMatch(/rules\[0\]\.for.*"-3m" is not a duration/);
    const line = text.split('\n').findIndex((l) => /for: 2m/.test(l)) + 1;
    await problem.getByRole('button', { name: `Go to line ${line}` }).click();
    expect(
      await editor.evaluate((el) => {
        // Runs in the page; test/ compiles without DOM types, so the textarea is described here.
        const t = el as unknown as {
          value: string;
          selectionStart: number;
          selectionEnd: number;
          ownerDocument: { activeElement: unknown };
        };
        return [t.ownerDocument.activeElement === t, t.value.slice(t.selectionStart, t.selectionEnd)];
      }),
    ).toEqual([true, expect.stringContaining('for: -3m')]);
    await screenshot(page, 'config-yaml-error');
    await editor.fill(text.replace(/value: 90\b/, 'value: 95'));
    await page.getByRole('button', { name: 'Check changes' }).click();
    const diff = page.getByTestId('yaml-diff');
    await diff.getByText('Update rule "High CPU" (value)').waitFor();
    expect(await diff.locator('.diff-add .diff-text').allTextContents()).toEqual([expect.stringMatching(/value: 95/)]);
    await screenshot(page, 'config-yaml-diff');
    await page.getByRole('button', { name: 'Apply these changes' }).click();
    await page.getByText('Applied: 0 created, 1 updated, 0 deleted.').waitFor();
    await expect.poll(() => editor.inputValue()).toMatch(/value: 95\b/);
    expect((await server.api('GET', '/api/v1/rules/High%20CPU')).body.item.spec.value).toBe(95);
  });

  it('opens reports and settings, and creates then revokes an API token', { timeout: 60_000 }, async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByText('Whole fleet, per day (minutes)').waitFor();
    await page.getByRole('table', { name: 'Per rule' }).getByRole('cell', { name: 'test incidents' }).waitFor();
    await screenshot(page, 'reports');

    await page.getByRole('link', { name: 'Settings' }).click();
    await expect.poll(() => page.getByTestId('backend-card').textContent()).toMatch(/SQLite/);
    expect(await page.getByTestId('retention-card').textContent()).toMatch(/Raw samples7 days/);
    await page.getByLabel('Token name').fill('backup script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByTestId('token-secret').textContent();
    expect(secret).toMatch(/^wtapi_/);
    const asToken = await fetch(`${server.url}/api/v1/settings`, { headers: { authorization: `Bearer ${secret}` } });
    expect(asToken.status).toBe(200);
    await screenshot(page, 'settings');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Revoke token backup script' }).click();
    await page.getByRole('button', { name: 'Revoke token backup script?' }).click();
    // The token the test helper made for its own API calls stays; the revoked one goes.
    await page.getByRole('row', { name: /backup script/ }).waitFor({ state: 'detached' });
    expect(await page.getByRole('table', { name: 'API tokens' }).getByRole('row').count()).toBe(2);
    const revoked = await fetch(`${server.url}/api/v1/settings`, { headers: { authorization: `Bearer ${secret}` } });
    expect(revoked.status).toBe(401);
  });
});
