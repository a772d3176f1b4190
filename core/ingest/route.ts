// POST /ingest/v1/batches: token → backpressure → body (limits, gzip) → schema → policy → group
// commit → ack. Nothing is acknowledged before its transaction commits.
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { INGEST_HEADER, INGEST_PATH, PROTOCOL_VERSION, type Ack } from '../../shared/protocol/index.js';
import { API_TOKEN_PREFIX } from '../../shared/contract/auth.js';
import { HttpError } from '../api/errors.js';
import { readBody, type BodyLimits } from './body.js';
import { parseBatch, prepareBatch } from './prepare.js';
import type { TokenCache } from './tokens.js';
import type { BatchWriter } from './writer.js';

export interface IngestDeps {
  tokens: TokenCache;
  writer: BatchWriter;
  limits: BodyLimits;
  rawRetentionMs: number;
  maxFutureSkewMs: number;
  now: () => number;
  /** False while shutting down: new batches get 503 and the agent retries elsewhere or later. */
  accepting: () => boolean;
}

export async function ingestRoutes(app: FastifyInstance, d: IngestDeps): Promise<void> {
  // Bodies stay raw streams here: readBody applies our limits and gunzip itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  // Errors included: the agent tells this listener's verdicts from anyone else's 4xx by it.
  app.addHook('onRequest', async (_req, reply) => {
    reply.header(INGEST_HEADER, `v${PROTOCOL_VERSION}`);
  });

  app.post(INGEST_PATH, async (req, reply): Promise<Ack> => {
    const hostId = await authenticate(req.headers.authorization, d.tokens);
    if (!d.accepting()) throw new HttpError(503, 'shutting_down', 'this instance is shutting down', undefined, { 'retry-after': '2' });
    if (d.writer.saturated)
      throw new HttpError(429, 'overloaded', 'too many samples waiting to be written', undefined, { 'retry-after': '1' });

    const stream = (req.body as Readable | undefined) ?? req.raw;
    const body = await readBody(stream, req.headers['content-encoding'], d.limits);
    const batch = parseBatch(body);
    const now = d.now();
    const window = { oldest: now - d.rawRetentionMs, newest: now + d.maxFutureSkewMs };
    const { write, dropped, accepted } = prepareBatch(batch, hostId, now, window);
    let result;
    try {
      result = await d.writer.submit(write, accepted);
    } catch (err) {
      // Nothing was acknowledged, so nothing is lost: the agent keeps the batch and sends it again.
      req.log.error({ err, batchId: batch.batchId }, 'could not commit a batch');
      throw new HttpError(503, 'store_unavailable', 'the batch could not be stored now; send it again later', undefined, {
        'retry-after': '5',
      });
    }
    if (result.samplesOverLimit) req.log.warn({ hostId, series: result.seriesOverLimit }, 'host is at its series limit');
    reply.code(200);
    return {
      batchId: batch.batchId,
      duplicate: result.duplicate,
      accepted: result.duplicate ? 0 : accepted - result.samplesOverLimit,
      dropped: { ...dropped, seriesLimit: result.samplesOverLimit },
    };
  });
}

async function authenticate(header: string | undefined, tokens: TokenCache): Promise<string> {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m)
    throw new HttpError(401, 'unauthorized', 'missing "Authorization: Bearer <agent token>"', undefined, { 'www-authenticate': 'Bearer' });
  if (m[1]!.startsWith(API_TOKEN_PREFIX)) {
    throw new HttpError(
      401,
      'unauthorized',
      'this is an API token: it calls the API, never ingest; agents send their agent token',
      undefined,
      {
        'www-authenticate': 'Bearer',
      },
    );
  }
  let hostId: string | null;
  try {
    hostId = await tokens.hostFor(m[1]!);
  } catch {
    throw new HttpError(503, 'store_unavailable', 'cannot check the token now; send the batch again later', undefined, {
      'retry-after': '5',
    });
  }
  if (!hostId) throw new HttpError(401, 'unauthorized', 'unknown or revoked agent token', undefined, { 'www-authenticate': 'Bearer' });
  return hostId;
}
