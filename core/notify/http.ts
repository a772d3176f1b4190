// One HTTP POST with a deadline, classified for the delivery worker. Shared by webhook and Slack.
// Error texts never contain the URL: a Slack webhook URL is itself the credential.
import { errorMessage, type DeliveryOutcome } from './types.js';

const SNIPPET_BYTES = 512;

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export async function postJson(url: string, body: string, headers: Headers, timeoutMs: number): Promise<DeliveryOutcome> {
  let res: Response;
  try {
    // redirect: 'manual' — following one would resend the signed body (and custom auth headers) to
    // a host the user never configured, and turn the POST into a GET on 301/302.
    res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    // undici wraps every network failure as TypeError('fetch failed', { cause }); a TypeError without
    // a cause is a request that cannot be built (e.g. user:pass@ in the URL), which no retry fixes.
    // Its message quotes the URL, so it is not passed on.
    if (err instanceof TypeError && err.cause === undefined) {
      return { ok: false, retryable: false, error: 'the request cannot be built from the channel settings (credentials in the URL?)' };
    }
    return { ok: false, retryable: true, error: describeFetchError(err, timeoutMs) };
  }
  if (res.status >= 200 && res.status < 300) {
    // The receiver accepted it; its body does not matter, but release the connection.
    await res.body?.cancel().catch(() => undefined);
    return { ok: true, detail: `HTTP ${res.status}` };
  }
  const snippet = await readSnippet(res);
  const error = `HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`;
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const after = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (res.status === 429 || res.status >= 500) return { ok: false, retryable: true, error, ...after };
  // 408: the receiver gave up waiting for us — the one 4xx that says nothing about the payload.
  if (res.status === 408) return { ok: false, retryable: true, error };
  if (res.status >= 300 && res.status < 400) {
    return { ok: false, retryable: false, error: `${error} (redirects are not followed; update the URL)` };
  }
  // Any other 4xx (400 bad payload, 401/403 auth, 404/410 gone): sending the same thing again fails again.
  return { ok: false, retryable: false, error };
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `timed out after ${timeoutMs} ms`;
  // undici reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND…) in cause.
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.message || cause?.code) return cause.message || String(cause.code);
  return errorMessage(err);
}

/** The start of an error body (Slack answers "invalid_payload", "no_service"…), bounded in size. */
async function readSnippet(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut off or timed out still leaves the status to classify by.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8');
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}
