// The HTTP server: contract routes, the ingest endpoint, and one error handler that turns every
// failure into the API's error shape without leaking internals.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerContract, type Handlers } from './contract-routes.js';
import { HttpError } from './errors.js';
import { ingestRoutes, type IngestDeps } from '../ingest/route.js';

export interface ServerOptions {
  log: Logger;
  handlers: Handlers;
  ingest: IngestDeps;
  /** Largest JSON body for API calls (ingest has its own limits). */
  bodyLimit?: number;
}

export async function createServer(o: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: o.log as FastifyBaseLogger,
    // One line per agent batch would drown the log; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.bodyLimit ?? 1024 * 1024,
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

  registerContract(app, o.handlers);
  await app.register(async (scope) => ingestRoutes(scope, o.ingest));
  return app;
}
