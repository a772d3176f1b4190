// @vitest-environment jsdom
// The rule form against the real typed client (fetch faked at the network edge): what the API
// refuses appears at the field it names, and what no field shows goes to a banner.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../api/client.js';
import { ApiContext } from '../../api/hooks.js';
import { RuleForm } from './RuleForm.js';
import type { RuleRecord } from './ruleForm.js';

afterEach(cleanup);

type Answer = { status: number; body: unknown };
function setup(answer: (method: string, url: string, body: unknown) => Answer, record: RuleRecord | null = null) {
  const calls: { method: string; url: string; body: unknown }[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method: String(init.method), url, body });
    const a = url.endsWith('/api/v1/policies') ? { status: 200, body: { items: [] } } : answer(String(init.method), url, body);
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } });
  });
  const api = createClient({ fetch: fetch as unknown as typeof globalThis.fetch });
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const done = vi.fn();
  render(
    <QueryClientProvider client={qc}>
      <ApiContext.Provider value={api}>
        <RuleForm record={record} onDone={done} onCancel={() => {}} />
      </ApiContext.Provider>
    </QueryClientProvider>,
  );
  return { calls, done };
}

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const fieldOf = (label: string) => screen.getByLabelText(label).closest('.field') as HTMLElement;

describe('rule form', () => {
  it("shows the API's validation issues at their fields, not in a banner", async () => {
    const { calls } = setup(() => ({
      status: 400,
      body: {
        error: {
          code: 'invalid_input',
          message: 'invalid request: metric: unknown metric "cpu.usge" (and 1 more)',
          issues: [
            { path: 'metric', message: 'unknown metric "cpu.usge" (see the metric catalog, or use custom.*)' },
            { path: 'scope.hosts[0]', message: 'Too big: expected string to have <=255 characters' },
          ],
        },
      },
    }));
    type('Name', 'High CPU');
    type('Metric', 'cpu.usge');
    type('Threshold', '90');
    type('Only hosts', 'x'.repeat(300));
    fireEvent.click(screen.getByRole('button', { name: 'Create rule' }));

    await waitFor(() => expect(within(fieldOf('Metric')).getByRole('alert').textContent).toMatch(/unknown metric "cpu.usge"/));
    expect(screen.getByLabelText('Metric').getAttribute('aria-invalid')).toBe('true');
    expect(within(fieldOf('Only hosts')).getByRole('alert').textContent).toMatch(/<=255 characters/);
    expect(within(fieldOf('Name')).queryByRole('alert')).toBeNull();
    expect(screen.queryByText(/Cannot save the rule/)).toBeNull();
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.url).toBe('/api/v1/rules');
    expect(post.body).toMatchObject({
      kind: 'threshold',
      name: 'High CPU',
      metric: 'cpu.usge',
      value: 90,
      scope: { hosts: ['x'.repeat(300)] },
    });
  });

  it('an error without issues (a conflict, a network failure) is a banner', async () => {
    setup(() => ({ status: 409, body: { error: { code: 'in_use', message: 'the rule store is busy' } } }));
    type('Name', 'x');
    type('Threshold', '1');
    fireEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    const banner = await screen.findByText(/the rule store is busy/);
    expect(banner.closest('[role="alert"]')?.textContent).toMatch(/Cannot save the rule/);
  });

  it('a label typed without "=" is shown at its field and nothing is sent', async () => {
    const { calls } = setup(() => ({ status: 500, body: {} }));
    type('Name', 'x');
    type('Labels', 'team');
    fireEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(within(fieldOf('Labels')).getByRole('alert').textContent).toBe('"team" is not name=value'));
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('editing sends the whole spec with PUT to the rule and reports the saved name', async () => {
    const record: RuleRecord = {
      id: 'rule_1',
      name: 'Host down',
      createdAt: 1,
      updatedAt: 1,
      spec: {
        kind: 'heartbeat',
        name: 'Host down',
        enabled: true,
        severity: 'critical',
        description: '',
        labels: {},
        scope: {},
        autoResolve: true,
        after: '2m',
      },
    };
    const { calls, done } = setup((method, _url, body) => ({ status: 200, body: { item: { ...record, spec: body } } }), record);
    type('Down after', '5m');
    fireEvent.click(screen.getByRole('button', { name: 'Save rule' }));
    await waitFor(() => expect(done).toHaveBeenCalledWith('Host down'));
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.url).toBe('/api/v1/rules/rule_1');
    expect(put.body).toEqual({ ...record.spec, after: '5m' });
  });
});
