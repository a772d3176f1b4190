// Adding a server and deploying its agent from the dashboard, in a real Chromium against a real
// OpenSSH daemon: the field errors of a bad form, the host-key fingerprint shown and confirmed,
// then live per-server progress until the agent reports. Root only (useradd, sshd), as in CI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { sshdAvailable, startSshd, type SshdHost } from '../helpers/sshd.js';
import { sqliteTarget, type StoreTarget } from '../helpers/stores.js';

describe.skipIf(!sshdAvailable())('deploy from the dashboard', () => {
  let target: StoreTarget;
  let app: TestApp;
  let sshd: SshdHost;
  let browser: TestBrowser;

  beforeAll(async () => {
    target = sqliteTarget();
    [app, sshd, browser] = await Promise.all([startTestApp(target, { deploy: { agentIntervalSec: 1 } }), startSshd(), launchBrowser()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await sshd?.cleanup();
    await target?.cleanup();
  });

  it('adds a server, confirms its host key, and shows the deploy progress live', { timeout: 150_000 }, async () => {
    const { page } = browser;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(app.url);
    await page.getByLabel('Name').fill(app.owner.name);
    await page.getByLabel('Password').fill(app.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Servers' }).click();
    await page.getByRole('button', { name: 'Add server' }).first().click();

    const form = page.getByRole('form', { name: 'Add a server' });
    // A bad address and no key: the API's errors land at their fields.
    await form.getByLabel('Name').fill('web-ssh-1');
    await form.getByLabel('SSH host').fill('not a host');
    await form.getByLabel('User').fill(sshd.user);
    await form.getByRole('button', { name: 'Add server' }).click();
    await expect.poll(() => form.locator('.field-invalid').count()).toBeGreaterThanOrEqual(1);
    expect(await form.getByLabel('SSH host').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('SSH host').fill(sshd.host);
    await form.getByLabel('Port').fill(String(sshd.port));
    await form.getByLabel('Private key').fill(sshd.privateKey);
    await form.getByRole('button', { name: 'Add server' }).click();
    const row = page.getByTestId('ssh-server-web-ssh-1');
    await row.waitFor();
    expect(await row.getByRole('button', { name: 'Deploy' }).isDisabled()).toBe(true); // host key first

    await row.getByRole('button', { name: 'Show host key' }).click();
    await expect.poll(() => row.getByTestId('scanned-fingerprint').textContent(), { timeout: 20_000 }).toBe(sshd.fingerprint);
    await screenshot(page, 'server-host-key');
    await row.getByRole('button', { name: 'It matches — confirm' }).click();
    await row.getByText('confirmed').waitFor();

    // Every value the progress bar takes, recorded in the page as it changes.
    // (This file has no DOM types: the function runs in the page, where globalThis is its window.)
    await page.evaluate(() => {
      const g = globalThis as any;
      g.__bar = [];
      new g.MutationObserver(() => {
        const v = Number(
          g.document.querySelector('[role="progressbar"][aria-label="web-ssh-1 progress"]')?.getAttribute('aria-valuenow') ?? NaN,
        );
        if (!Number.isNaN(v) && g.__bar[g.__bar.length - 1] !== v) g.__bar.push(v);
      }).observe(g.document, { subtree: true, attributes: true, childList: true });
    });
    await row.getByRole('button', { name: 'Deploy' }).click();
    const run = page.getByTestId('deploy-run');
    await run.waitFor();
    await expect.poll(() => run.getByTestId('deploy-status').textContent(), { timeout: 120_000, interval: 250 }).toBe('ok');
    await screenshot(page, 'deploy-progress');
    const bar: number[] = await page.evaluate(() => (globalThis as any).__bar);
    expect(bar[bar.length - 1]).toBe(100);
    expect(bar.filter((v) => v > 0 && v < 100).length).toBeGreaterThanOrEqual(3); // it moved in steps, live
    expect(bar).toEqual([...bar].sort((a, b) => a - b));

    // The agent it installed reports: the host shows up in the fleet list.
    await row.getByText('0.1.0').waitFor({ timeout: 30_000 });
    await page.getByRole('table', { name: 'Hosts' }).getByRole('link', { name: 'web-ssh-1' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'servers-after-deploy');
    expect(pageErrors).toEqual([]);
  });
});
