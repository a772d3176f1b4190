// @vitest-environment jsdom
// The incident list's filters in the real page: the URL's filters become the list request's query,
// and changing a filter rewrites the URL and asks again (fetch faked at the network edge).
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../api/client.js';
import { ApiContext } from '../../api/hooks.js';
import { IncidentsPage } from './IncidentsPage.js';

afterEach(cleanup);

const incident = {
  id: 'inc_1',
  fingerprint: 'f',
  source: 'rule',
  ruleId: 'rule_1',
  hostId: 'host_1',
  dedupKey: null,
  title: 'CPU high on web-1',
  description: '',
  severity: 'critical',
  labels: {},
  status: 'triggered',
  count: 3,
  value: 97,
  policy: null,
  silenced: false,
  triggeredAt: Date.now() - 60_000,
  lastSeenAt: Date.now(),
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  resolution: null,
};

function renderPage(hash: string, incidents: unknown[] = [incident]) {
  window.location.hash = hash;
  const listUrls: URL[] = [];
  const fetch = vi.fn(async (url: string) => {
    const u = new URL(url, 'http://wt.test');
    let body: unknown = {};
    if (u.pathname === '/api/v1/incidents') {
      listUrls.push(u);
      body = { incidents };
    } else if (u.pathname === '/api/v1/hosts') body = { hosts: [] };
    else if (u.pathname === '/api/v1/rules')
      body = {
        items: [{ id: 'rule_1', name: 'High CPU', createdAt: 1, updatedAt: 1, spec: { kind: 'heartbeat', name: 'High CPU', after: '2m' } }],
      };
    return new Response(JSON.stringify(body), { status: 200 });
  });
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}>
      <ApiContext.Provider value={createClient({ fetch: fetch as unknown as typeof globalThis.fetch })}>
        <IncidentsPage />
      </ApiContext.Provider>
    </QueryClientProvider>,
  );
  return listUrls;
}

describe('incident list filters', () => {
  it('sends the filters of the URL and shows the rows with rule names', async () => {
    const urls = renderPage('#/incidents?severity=critical&rule=rule_1&range=24h');
    await screen.findByRole('link', { name: 'CPU high on web-1' });
    const q = urls[0]!.searchParams;
    expect(q.get('status')).toBe('triggered,acknowledged');
    expect(q.get('severity')).toBe('critical');
    expect(q.get('ruleId')).toBe('rule_1');
    expect(Number(q.get('from'))).toBeGreaterThan(Date.now() - 24 * 3_600_000 - 120_000);
    expect(await screen.findByRole('cell', { name: 'High CPU' })).toBeTruthy();
  });

  it('ticking "resolved" rewrites the URL and fetches again with it', async () => {
    const urls = renderPage('#/incidents');
    await screen.findByRole('link', { name: 'CPU high on web-1' });
    fireEvent.click(screen.getByRole('checkbox', { name: 'resolved' }));
    await waitFor(() => expect(urls.at(-1)!.searchParams.get('status')).toBe('triggered,acknowledged,resolved'));
    expect(window.location.hash).toBe('#/incidents?status=triggered%2Cacknowledged%2Cresolved');
    fireEvent.change(screen.getByLabelText('Time'), { target: { value: 'all' } });
    await waitFor(() => expect(urls.at(-1)!.searchParams.has('from')).toBe(false));
  });

  it('an empty filtered list says what to do next', async () => {
    renderPage('#/incidents?severity=info', []);
    await screen.findByRole('heading', { name: 'No incidents match these filters' });
    fireEvent.click(screen.getByRole('button', { name: 'Show every incident' }));
    await waitFor(() => expect(window.location.hash).toBe('#/incidents?status=any&range=all'));
    expect((screen.getByRole('checkbox', { name: 'triggered' }) as HTMLInputElement).checked).toBe(false);
  });
});
