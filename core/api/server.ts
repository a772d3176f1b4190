// The HTTP servers: the API (contract routes behind one authentication check, the live WebSocket)
// and, on its own listener, the agents' ingest endpoint. One error handler turns every failure
// into the API's error shape without leaking internals.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { INGEST_PATH } from '../../shared/protocol/index.js';
import { registerContract, type Authenticate, type Handlers } from './contract-routes.js';
import { HttpError } from './errors.js';
import { ingestRoutes, type IngestDeps } from '../ingest/route.js';

export interface ServerOptions {
  log: Logger;
  handlers: Handlers;
  /** The one check every contract procedure passes through (core/auth/guard.ts). */
  authenticate: Authenticate;
  /** More on the API listener (the live WebSocket, the dashboard's files), registered after the contract. */
  plugins?: ((app: FastifyInstance) => Promise<void>)[];
  /** Take the client address and protocol from X-Forwarded-* (behind a TLS proxy). */
  trustProxy?: boolean;
  /** Largest JSON body for API calls (ingest has its own limits). */
  bodyLimit?: number;
}

function baseServer(log: Logger, o: { bodyLimit?: number; trustProxy?: boolean } = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One line per agent batch would drown the log; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.bodyLimit ?? 1024 * 1024,
    trustProxy: o.trustProxy ?? false,
    // Agents keep connections alive between batches; shutdown closes the idle ones at once.
    forceCloseConnections: 'idle',
    keepAliveTimeout: 65_000,
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) {
      if (err.headers) reply.headers(err.headers);
      return reply.code(err.statusCode).send(err.toBody());
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      // Fastify's own client errors (bad JSON in an API call, body too large, …).
      const code = status === 413 ? 'too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
      return reply.code(status).send({ error: { code, message: (err as Error).message } });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error; the server log has the details' } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
  );
  return app;
}

export async function createServer(o: ServerOptions): Promise<FastifyInstance> {
  const app = baseServer(o.log, o);
  registerContract(app, o.handlers, o.authenticate);
  // An agent pointed at the API's port: say where to send, before any body parsing (its gzip body is
  // no JSON to the API's parser); 421 Misdirected Request, without the ingest header, so it keeps its batches.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    scope.post(INGEST_PATH, async () => {
      throw new HttpError(
        421,
        'wrong_listener',
        'this is the Watchtower API; agents send batches to the ingest listener (ingest.host and ingest.port, port 7801 by default)',
      );
    });
  });
  for (const plugin of o.plugins ?? []) await app.register(plugin);
  return app;
}

/** The agents' listener: only the ingest endpoint, authenticated by agent tokens. */
export async function createIngestServer(o: { log: Logger; ingest: IngestDeps }): Promise<FastifyInstance> {
  const app = baseServer(o.log);
  await app.register(async (scope) => ingestRoutes(scope, o.ingest));
  return app;
}
