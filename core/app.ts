// Composition root: configuration → running services, started in order and stopped in reverse
// (alertmanager's app.go pattern). Entry points (watchtower serve, the desktop's core host) only
// load config and call startApp.
import pino, { type Logger } from 'pino';
import { VERSION } from '../shared/version.js';
import { metricHandlers } from './api/metrics.js';
import { hostHandlers } from './api/hosts.js';
import { createServer } from './api/server.js';
import type { LoadedConfig } from './config/load.js';
import { TokenCache } from './ingest/tokens.js';
import { BatchWriter } from './ingest/writer.js';
import { rollupOnce } from './jobs/rollups.js';
import { every } from './jobs/schedule.js';
import { openStore } from './store/index.js';
import { openCoordination } from './bus/index.js';
import { Engine } from './engine/engine.js';
import { AlertingStore } from './store/alerting/store.js';
import { configDocumentHandlers, configHandlers } from './api/alerting-config.js';
import { incidentHandlers } from './api/incidents.js';
import { settingsHandlers } from './api/settings.js';
import { hostname } from 'node:os';
import type { Store } from './store/types.js';

const DAY = 24 * 60 * 60 * 1000;

export interface App {
  /** Base URL the API and ingest listen on. */
  url: string;
  store: Store;
  engine: Engine;
  log: Logger;
  stop(): Promise<void>;
}

export async function startApp(cfg: LoadedConfig, opts: { log?: Logger; now?: () => number } = {}): Promise<App> {
  const log = opts.log ?? pino({ level: cfg.log.level });
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch((err) => log.error({ err }, 'error while stopping'));
    cleanups.length = 0;
  };

  try {
    const store = await openStore({ url: cfg.databaseUrl, schema: cfg.database.schema });
    cleanups.push(() => store.close());
    log.info({ component: 'store', kind: store.kind, mode: cfg.mode }, 'store open');

    const coordination = await openCoordination({
      ...(cfg.redis.url ? { redisUrl: cfg.redis.url } : {}),
      prefix: cfg.redis.prefix,
      log: log.child({ component: 'bus' }),
    });
    cleanups.push(() => coordination.close());

    const alerting = new AlertingStore(store.sql);
    const clock = { now };
    const engine = new Engine({
      store,
      alerting,
      coordination,
      clock,
      log: log.child({ component: 'engine' }),
      instanceId: `${hostname()}:${process.pid}`,
      ...(cfg.http.publicUrl ? { publicUrl: cfg.http.publicUrl } : {}),
    });
    await engine.start();
    cleanups.push(() => engine.stop());

    const rawRetentionMs = cfg.retention.rawDays * DAY;
    const writer = new BatchWriter({
      store,
      maxPendingSamples: cfg.ingest.maxPendingSamples,
      maxSeriesPerHost: cfg.ingest.maxSeriesPerHost,
      concurrency: store.kind === 'postgres' ? 2 : 1,
      log: log.child({ component: 'ingest' }),
      onCommitted: (writes, results) => engine.onCommitted(writes, (i) => results[i]!.duplicate),
    });
    cleanups.push(() => writer.flush());

    const jobLog = log.child({ component: 'jobs' });
    const rollups = every(60_000, 'rollups', jobLog, () => rollupOnce(store, now(), rawRetentionMs));
    const retention = every(cfg.retention.pruneEveryMinutes * 60_000, 'retention', jobLog, () => {
      const t = now();
      return store.prune({
        rawBefore: t - rawRetentionMs,
        rollupBefore: t - cfg.retention.rollupDays * DAY,
        eventsBefore: t - cfg.retention.eventDays * DAY,
        batchIdsBefore: t - rawRetentionMs,
      });
    });
    cleanups.push(
      () => rollups.stop(),
      () => retention.stop(),
    );

    const tokens = new TokenCache(store);
    let accepting = true;
    const server = await createServer({
      log: log.child({ component: 'api' }),
      handlers: {
        health: async () => ({ status: 'ok', version: VERSION, mode: cfg.mode, store: store.kind, uptimeMs: now() - startedAt }),
        ...hostHandlers({ store, tokens, downAfterIntervals: cfg.hosts.downAfterIntervals, now }),
        ...metricHandlers({ store, rawRetentionMs, now }),
        ...configHandlers({ alerting, engine, clock }),
        ...configDocumentHandlers({ alerting, engine, clock }),
        ...incidentHandlers({ alerting, engine, clock }),
        ...settingsHandlers(cfg, store.kind),
      },
      ingest: {
        tokens,
        writer,
        limits: { maxBodyBytes: cfg.ingest.maxBodyBytes, maxDecodedBytes: cfg.ingest.maxDecodedBytes },
        rawRetentionMs,
        maxFutureSkewMs: cfg.ingest.maxFutureSkewMs,
        now,
        accepting: () => accepting,
      },
    });
    const url = await server.listen({ host: cfg.http.host, port: cfg.http.port });
    cleanups.push(async () => {
      accepting = false;
      await server.close(); // stops accepting; in-flight requests finish (and their batches commit)
    });
    log.info({ component: 'api', url }, 'listening');
    return { url, store, engine, log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
