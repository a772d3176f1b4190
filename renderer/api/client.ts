// The one typed client over shared/contract: a procedure's name picks its method, path and schemas.
// Path params fill the path, the rest goes to the query (GET/DELETE) or the JSON body (POST/PUT).
// Every answer is checked against the procedure's output schema, so the types callers see are the
// contract's, never a hand-written cast; errors keep the API's code and per-field issues for forms.
import { errorSchema, procedures, type Input, type Output, type ProcedureName } from '../../shared/contract/index.js';

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The first message for each field path (top-level name and full path both answer). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const i of this.issues) {
      out[i.path] ??= i.message;
      const top = i.path.split(/[.[]/)[0]!;
      out[top] ??= i.message;
    }
    return out;
  }
}

export interface ClientOptions {
  /** '' for the page's own origin (the headless server serves the dashboard). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Sent as 'x-csrf-token' on every non-GET request (the session's token). */
  csrfToken?: () => string | null;
  /** Sent as 'authorization: Bearer …' (the desktop shell's per-launch token). */
  bearerToken?: () => string | null;
  /** Called on 401 so the app can show the sign-in page. */
  onUnauthorized?: (err: ApiError, procedure: ProcedureName) => void;
}

export interface BuiltRequest {
  method: string;
  url: string;
  body?: string;
}

type Args<N extends ProcedureName> = object extends Input<N> ? [input?: Input<N>] : [input: Input<N>];

/** Method, URL and body for a call: pure, so it is tested on its own. */
export function buildRequest(name: ProcedureName, input: Record<string, unknown> = {}, baseUrl = ''): BuiltRequest {
  const proc = procedures[name];
  const rest: Record<string, unknown> = { ...input };
  const path = proc.path.replace(/:([A-Za-z_]\w*)/g, (_, key: string) => {
    const v = rest[key];
    if (v === undefined || v === null || v === '') throw new Error(`${name}: path parameter "${key}" is missing`);
    delete rest[key];
    return encodeURIComponent(String(v));
  });
  if (proc.method === 'GET' || proc.method === 'DELETE') {
    const qs = queryString(rest);
    return { method: proc.method, url: baseUrl + path + (qs ? `?${qs}` : '') };
  }
  return { method: proc.method, url: baseUrl + path, body: JSON.stringify(rest) };
}

/** Arrays as comma lists (the contract's csv filters), objects as JSON, undefined left out. */
export function queryString(q: Record<string, unknown>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      if (v.length) p.set(k, v.join(','));
    } else p.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return p.toString();
}

/** The API's error body (or whatever came back) as an ApiError a person can act on. */
export function toApiError(status: number, body: unknown): ApiError {
  const parsed = errorSchema.safeParse(body);
  if (parsed.success) return new ApiError(status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.issues ?? []);
  return new ApiError(status, 'http_error', `the server answered HTTP ${status}`);
}

export type ApiClient = ReturnType<typeof createClient>;

export function createClient(opts: ClientOptions = {}) {
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  async function call<N extends ProcedureName>(name: N, ...[input]: Args<N>): Promise<Output<N>> {
    const req = buildRequest(name, input as Record<string, unknown> | undefined, opts.baseUrl ?? '');
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (req.method !== 'GET') {
      const csrf = opts.csrfToken?.();
      if (csrf) headers['x-csrf-token'] = csrf;
    }
    const bearer = opts.bearerToken?.();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    let res: Response;
    try {
      res = await doFetch(req.url, { method: req.method, headers, body: req.body ?? null, credentials: 'same-origin' });
    } catch (err) {
      throw new ApiError(0, 'network', `cannot reach the server (${(err as Error).message})`);
    }
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      if (res.ok) throw new ApiError(res.status, 'bad_response', `${name}: the server answered something that is not JSON`);
    }
    if (!res.ok) {
      const err = toApiError(res.status, body);
      if (res.status === 401) opts.onUnauthorized?.(err, name);
      throw err;
    }
    const out = procedures[name].output.safeParse(body);
    if (!out.success) {
      const i = out.error.issues[0]!;
      throw new ApiError(
        res.status,
        'bad_response',
        `${name}: the answer does not match the contract at ${i.path.join('.') || '(body)'}: ${i.message}`,
      );
    }
    return out.data as Output<N>;
  }
  return { call, options: opts };
}
