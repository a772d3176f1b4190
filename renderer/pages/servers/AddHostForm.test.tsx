// @vitest-environment jsdom
// Adding a host whose agent you run yourself, against the real typed client (fetch faked at the
// network edge, every answer checked against the contract): the API's refusals at their fields, then
// the agent token shown once with the command lines for this instance's ingest listener, and the
// host's status following the live stream.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../api/client.js';
import { ApiContext } from '../../api/hooks.js';
import { applyHost } from '../../live/cache.js';
import { AddHostForm } from './AddHostForm.js';
import { ingestNote } from './AgentRunInstructions.js';

afterEach(() => {
  cleanup();
  Reflect.deleteProperty(navigator, 'clipboard');
});

const TOKEN = 'wt_Q2ZpZ3VyZWQtYnktdGhlLXRlc3Q-not_a_real_one';
const INGEST = 'http://10.0.0.5:7801';
const host = (over: Record<string, unknown> = {}) => ({
  id: 'h_1',
  name: 'web-1',
  labels: { role: 'web', env: 'prod' },
  createdAt: 1,
  lastSeenAt: null,
  status: 'new',
  agentVersion: null,
  intervalMs: null,
  inventory: null,
  processes: null,
  ...over,
});
const settings = {
  version: '0.1.0',
  mode: 'local',
  store: { kind: 'sqlite', location: '/tmp/wt.db', schema: null },
  coordination: { kind: 'memory', location: null },
  retention: { rawDays: 7, rollupDays: 90, eventDays: 30, pruneEveryMinutes: 60 },
  http: { host: '127.0.0.1', publicUrl: '' },
  ingest: { url: INGEST, host: '0.0.0.0' },
};

type Answer = { status: number; body: unknown };
function setup(create: (body: unknown) => Answer) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  let hosts: unknown[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    const path = new URL(url, 'http://wt.test').pathname;
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method: String(init.method), path, body });
    let a: Answer = { status: 404, body: { error: { code: 'not_found', message: `no route ${path}` } } };
    if (path === '/api/v1/settings') a = { status: 200, body: settings };
    else if (path === '/api/v1/hosts' && init.method === 'GET') a = { status: 200, body: { hosts } };
    else if (path === '/api/v1/hosts' && init.method === 'POST') {
      a = create(body);
      if (a.status === 201) hosts = [(a.body as { host: unknown }).host];
    }
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } });
  });
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const onClose = vi.fn();
  render(
    <QueryClientProvider client={qc}>
      <ApiContext.Provider value={createClient({ fetch: fetch as unknown as typeof globalThis.fetch })}>
        <AddHostForm onClose={onClose} />
      </ApiContext.Provider>
    </QueryClientProvider>,
  );
  return { calls, qc, onClose };
}

const created = (): Answer => ({ status: 201, body: { host: host(), agentToken: TOKEN } });
const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const fieldOf = (label: string) => screen.getByLabelText(label).closest('.field') as HTMLElement;
const submit = () => fireEvent.click(screen.getByRole('button', { name: 'Add host' }));

describe('add a host (run the agent yourself)', () => {
  it("shows the API's refusals at the fields they name, not in a banner", async () => {
    setup(() => ({
      status: 409,
      body: {
        error: { code: 'conflict', message: 'a host named "web-1" already exists', issues: [{ path: 'name', message: 'already taken' }] },
      },
    }));
    expect(document.activeElement).toBe(screen.getByLabelText('Name')); // the keyboard starts in the form
    type('Name', 'web-1');
    submit();
    await waitFor(() => expect(within(fieldOf('Name')).getByRole('alert').textContent).toBe('already taken'));
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByText(/Cannot add the host/)).toBeNull();
  });

  it('puts a label the API refuses at the Labels field', async () => {
    setup(() => ({
      status: 400,
      body: {
        error: {
          code: 'invalid_input',
          message: 'invalid request',
          issues: [
            { path: 'labels.9lives', message: 'Invalid key in record' },
            { path: 'name', message: 'letters, digits, and _ . - (not first)' },
          ],
        },
      },
    }));
    type('Name', '-web');
    type('Labels (optional)', '9lives=yes');
    submit();
    await waitFor(() => expect(within(fieldOf('Labels (optional)')).getByRole('alert').textContent).toBe('Invalid key in record'));
    expect(within(fieldOf('Name')).getByRole('alert').textContent).toMatch(/not first/);
  });

  it('a label typed without "=" is shown at its field and nothing is sent', async () => {
    const { calls } = setup(created);
    type('Name', 'web-1');
    type('Labels (optional)', 'role');
    submit();
    await waitFor(() => expect(within(fieldOf('Labels (optional)')).getByRole('alert').textContent).toBe('"role" is not name=value'));
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('shows the token once with the commands for the ingest listener, refetches the host list, and follows the status live', async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    const { calls, qc, onClose } = setup(created);
    type('Name', 'web-1');
    type('Labels (optional)', 'role=web, env=prod');
    submit();

    const heading = await screen.findByRole('heading', { name: 'Run the agent on web-1' });
    expect(document.activeElement).toBe(heading); // focus moves to what just appeared
    expect(calls.find((c) => c.method === 'POST')).toEqual({
      method: 'POST',
      path: '/api/v1/hosts',
      body: { name: 'web-1', labels: { role: 'web', env: 'prod' } },
    });
    // The list is asked again after the host exists, so it shows at once.
    const post = calls.findIndex((c) => c.method === 'POST');
    await waitFor(() => expect(calls.slice(post).some((c) => c.method === 'GET' && c.path === '/api/v1/hosts')).toBe(true));

    expect(screen.getByText(/Copy the agent token now: it is not shown again/)).toBeTruthy();
    expect(screen.getByTestId('agent-token').textContent).toBe(TOKEN);
    const args = `--server ${INGEST} --token ${TOKEN} --data-dir ./agent-data`;
    await waitFor(() => expect(screen.getByTestId('agent-command-checkout').textContent).toBe(`npm run agent -- ${args}`));
    expect(screen.getByTestId('agent-command-artifact').textContent).toBe(`./watchtower-agent ${args}`);
    expect(screen.getByTestId('ingest-url').textContent).toBe(INGEST); // the listener's, not the page's origin
    expect(screen.queryByTestId('ingest-note')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Copy agent token' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(TOKEN));
    expect(await screen.findByText('Copied.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Copy command for a checkout' }));
    await waitFor(() => expect(writeText).toHaveBeenLastCalledWith(`npm run agent -- ${args}`));

    expect(screen.getByTestId('new-host-status').textContent).toBe('never seen');
    // A batch arrives: the live stream's host event patches the list this panel reads.
    await waitFor(() => expect(qc.getQueryData<{ hosts: { id: string }[] }>(['listHosts', {}])?.hosts.map((h) => h.id)).toEqual(['h_1']));
    act(() => applyHost(qc, { hostId: 'h_1', name: 'web-1', status: 'up', lastSeenAt: Date.now(), agentVersion: '0.1.0' }));
    await waitFor(() => expect(screen.getByTestId('new-host-status').textContent).toBe('up'));

    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(onClose).toHaveBeenCalled();
  });

  it('where the page has no clipboard (plain HTTP), Copy selects the token and says to press Ctrl+C', async () => {
    setup(created);
    type('Name', 'web-1');
    submit();
    await screen.findByRole('heading', { name: 'Run the agent on web-1' });
    fireEvent.click(screen.getByRole('button', { name: 'Copy agent token' }));
    expect(screen.getByText(/the text is selected, press Ctrl\+C/)).toBeTruthy();
    expect(window.getSelection()!.toString()).toBe(TOKEN);
  });

  it('"Add another host" goes back to an empty form', async () => {
    setup(created);
    type('Name', 'web-1');
    submit();
    await screen.findByRole('heading', { name: 'Run the agent on web-1' });
    fireEvent.click(screen.getByRole('button', { name: 'Add another host' }));
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('');
    expect(screen.queryByTestId('agent-token')).toBeNull();
  });
});

describe('ingestNote', () => {
  it('says when the URL shown reaches only this machine, and nothing when it reaches others', () => {
    expect(ingestNote({ url: 'http://127.0.0.1:7801', host: '127.0.0.1' })).toMatch(
      /only an agent on this machine.*--ingest-host 0\.0\.0\.0/,
    );
    expect(ingestNote({ url: 'http://127.0.0.1:7801', host: '0.0.0.0' })).toMatch(/use an address of this one/);
    expect(ingestNote({ url: 'http://[::1]:7801', host: '::1' })).toMatch(/only an agent on this machine/);
    expect(ingestNote({ url: 'http://10.0.0.5:7801', host: '0.0.0.0' })).toBeNull();
    expect(ingestNote({ url: 'https://ingest.example.com', host: '127.0.0.1' })).toBeNull(); // a proxy or tunnel in front
  });
});
