// The Settings page's read-only view of this instance: backend, coordination, retention, and the
// ingest URL agents run with (the dashboard's "add a host" shows it in the agent's command line).
import { VERSION } from '../../shared/version.js';
import type { LoadedConfig } from '../config/load.js';
import type { Handlers } from './contract-routes.js';

/** A connection URL as people may see it: the password (if any) replaced, anything unparsable hidden. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not shown: not a URL)';
  }
}

/**
 * `ingestUrl`: the URL agents post to, known once the ingest listener listens (its port may be 0 in
 * the config); the deployer's own (deploy.ingestUrl, else the listener's URL).
 */
export function settingsHandlers(
  cfg: LoadedConfig,
  storeKind: 'sqlite' | 'postgres',
  ingestUrl: () => string,
): Pick<Handlers, 'getSettings'> {
  return {
    getSettings: async () => ({
      version: VERSION,
      mode: cfg.mode,
      store: {
        kind: storeKind,
        location: storeKind === 'postgres' ? withoutPassword(cfg.databaseUrl) : cfg.databaseUrl,
        schema: storeKind === 'postgres' ? cfg.database.schema : null,
      },
      coordination: cfg.redis.url
        ? { kind: 'redis' as const, location: withoutPassword(cfg.redis.url) }
        : { kind: 'memory' as const, location: null },
      retention: { ...cfg.retention },
      http: { host: cfg.http.host, publicUrl: cfg.http.publicUrl },
      ingest: { url: ingestUrl(), host: cfg.ingest.host },
    }),
  };
}
