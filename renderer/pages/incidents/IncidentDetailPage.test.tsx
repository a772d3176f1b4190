// @vitest-environment jsdom
// The incident's facts as people read them: the breaching value in its metric's unit (fetch faked at
// the network edge, answers shaped by the contract).
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../api/client.js';
import { ApiContext } from '../../api/hooks.js';
import { IncidentDetailPage } from './IncidentDetailPage.js';

afterEach(cleanup);

const incident = {
  id: 'inc_1',
  fingerprint: 'f',
  source: 'rule',
  ruleId: 'rule_1',
  hostId: null,
  dedupKey: null,
  title: 'Memory high on web-1',
  description: '',
  severity: 'warning',
  labels: {},
  status: 'triggered',
  count: 1,
  value: 7.175704608108835,
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

function renderDetail(spec: Record<string, unknown>) {
  const fetch = vi.fn(async (url: string) => {
    const path = new URL(url, 'http://wt.test').pathname;
    let body: unknown = {};
    if (path === '/api/v1/incidents/inc_1') body = { incident, timeline: [], deliveries: [] };
    else if (path === '/api/v1/hosts') body = { hosts: [] };
    else if (path === '/api/v1/rules') body = { items: [{ id: 'rule_1', name: 'Memory high', createdAt: 1, updatedAt: 1, spec }] };
    return new Response(JSON.stringify(body), { status: 200 });
  });
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <ApiContext.Provider value={createClient({ fetch: fetch as unknown as typeof globalThis.fetch })}>
        <IncidentDetailPage id="inc_1" />
      </ApiContext.Provider>
    </QueryClientProvider>,
  );
}

describe('incident detail', () => {
  it("shows a threshold rule's value in its metric's unit", async () => {
    renderDetail({ kind: 'threshold', name: 'Memory high', metric: 'mem.used_percent', op: '>', value: 1 });
    expect(await screen.findByText(/· value 7\.2%/)).toBeTruthy();
  });

  it('shows other values rounded, not with every digit of a double', async () => {
    renderDetail({ kind: 'rate', name: 'Memory high', metric: 'mem.used_percent', op: '>', value: 1, window: '1m' });
    expect(await screen.findByText(/· value 7\.18$/)).toBeTruthy();
  });
});
