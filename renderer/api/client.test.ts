// The typed client: how a call becomes a request, and how answers and errors come back.
import { describe, expect, it } from 'vitest';
import { ApiError, buildRequest, createClient, queryString, toApiError } from './client.js';

function fakeFetch(status: number, body: unknown, seen: { url?: string; init?: RequestInit } = {}) {
  return async (url: string | URL | Request, init?: RequestInit) => {
    seen.url = String(url);
    seen.init = init;
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
}

const host = {
  id: 'h1',
  name: 'web-1',
  labels: {},
  createdAt: 1,
  lastSeenAt: null,
  status: 'new',
  agentVersion: null,
  intervalMs: null,
  inventory: null,
  processes: null,
};

describe('buildRequest', () => {
  it('fills path params (encoded) and leaves the rest for the query on GET', () => {
    const r = buildRequest('hostSeries', { id: 'a/b c', metric: 'cpu.usage', from: 1, to: 2, labels: '{"cpu":"total"}' });
    expect(r.method).toBe('GET');
    expect(r.url).toBe('/api/v1/hosts/a%2Fb%20c/series?metric=cpu.usage&from=1&to=2&labels=%7B%22cpu%22%3A%22total%22%7D');
    expect(r.body).toBeUndefined();
  });

  it('sends the rest as a JSON body on POST, without the path params', () => {
    const r = buildRequest('acknowledgeIncident', { id: 'inc-1', by: 'ana' }, 'http://x:1');
    expect(r).toEqual({ method: 'POST', url: 'http://x:1/api/v1/incidents/inc-1/acknowledge', body: '{"by":"ana"}' });
  });

  it('joins list filters with commas and leaves out undefined', () => {
    expect(buildRequest('listIncidents', { status: ['triggered', 'acknowledged'], severity: [], hostId: undefined, limit: 5 }).url).toBe(
      '/api/v1/incidents?status=triggered%2Cacknowledged&limit=5',
    );
    expect(queryString({ a: { b: 1 }, c: null, d: 0 })).toBe('a=%7B%22b%22%3A1%7D&d=0');
  });

  it('refuses a call without its path parameter', () => {
    expect(() => buildRequest('getHost', {})).toThrow(/path parameter "id" is missing/);
  });
});

describe('createClient', () => {
  it('returns the answer checked against the contract', async () => {
    const api = createClient({ fetch: fakeFetch(200, { host }) });
    const out = await api.call('getHost', { id: 'h1' });
    expect(out.host.name).toBe('web-1');
  });

  it('sends the CSRF token on changes only, and a bearer token when given', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = createClient({ fetch: fakeFetch(200, { hosts: [] }, seen), csrfToken: () => 'tok', bearerToken: () => 'wtapi_x' });
    await api.call('listHosts', {});
    expect(seen.init?.headers).not.toHaveProperty('x-csrf-token');
    expect(seen.init?.headers).toHaveProperty('authorization', 'Bearer wtapi_x');
    const post = createClient({ fetch: fakeFetch(200, { ok: true }, seen), csrfToken: () => 'tok' });
    await post.call('signOut', {});
    expect(seen.init?.method).toBe('POST');
    expect(seen.init?.headers).toHaveProperty('x-csrf-token', 'tok');
    expect(seen.init?.body).toBe('{}');
  });

  it('turns an API error into an ApiError with its field issues', async () => {
    const body = {
      error: { code: 'invalid_input', message: 'invalid request: name: too short', issues: [{ path: 'name', message: 'too short' }] },
    };
    const api = createClient({ fetch: fakeFetch(400, body) });
    const err = await api.call('createHost', { name: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_input', message: 'invalid request: name: too short' });
    expect((err as ApiError).fieldErrors()).toEqual({ name: 'too short' });
  });

  it('refuses an answer that does not match the contract instead of passing it on', async () => {
    const api = createClient({ fetch: fakeFetch(200, { host: { ...host, status: 'sideways' } }) });
    await expect(api.call('getHost', { id: 'h1' })).rejects.toMatchObject({
      code: 'bad_response',
      message: expect.stringMatching(/host\.status/),
    });
  });

  it('reports 401 to onUnauthorized with the procedure name', async () => {
    const calls: string[] = [];
    const api = createClient({
      fetch: fakeFetch(401, { error: { code: 'unauthorized', message: 'sign in first' } }),
      onUnauthorized: (_e, name) => calls.push(name),
    });
    await expect(api.call('listHosts', {})).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(calls).toEqual(['listHosts']);
  });

  it('says when the server cannot be reached or answers something else', async () => {
    const down = createClient({
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    await expect(down.call('listHosts', {})).rejects.toMatchObject({
      status: 0,
      code: 'network',
      message: expect.stringMatching(/cannot reach/),
    });
    const proxy = createClient({ fetch: fakeFetch(502, '<html>Bad gateway</html>') });
    await expect(proxy.call('listHosts', {})).rejects.toMatchObject({ status: 502, code: 'http_error' });
  });
});

describe('ApiError.fieldErrors', () => {
  it('keys each message by its full path and by its top-level field, first message wins', () => {
    const err = toApiError(400, {
      error: {
        code: 'invalid_input',
        message: 'x',
        issues: [
          { path: 'auth.password', message: 'required' },
          { path: 'labels[0]', message: 'bad label' },
          { path: 'auth.kind', message: 'unknown' },
        ],
      },
    });
    expect(err.fieldErrors()).toEqual({
      'auth.password': 'required',
      auth: 'required',
      'labels[0]': 'bad label',
      labels: 'bad label',
      'auth.kind': 'unknown',
    });
  });
});
