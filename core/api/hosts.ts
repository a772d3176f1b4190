// Host procedures: the fleet list with up/down status, adding a host with its agent token.
import type { HostView } from '../../shared/contract/index.js';
import { hashToken, newAgentToken, type TokenCache } from '../ingest/tokens.js';
import type { Host, Store } from '../store/types.js';
import type { Handlers } from './contract-routes.js';
import { HttpError, notFound } from './errors.js';

export interface HostDeps {
  store: Store;
  tokens: TokenCache;
  downAfterIntervals: number;
  now: () => number;
}

/** Up while a batch arrived within N of the host's own intervals (never less than 30 s). */
export function hostStatus(h: Pick<Host, 'lastSeenAt' | 'intervalMs'>, now: number, downAfterIntervals: number): HostView['status'] {
  if (h.lastSeenAt === null) return 'new';
  const window = Math.max(30_000, (h.intervalMs ?? 10_000) * downAfterIntervals);
  return now - h.lastSeenAt <= window ? 'up' : 'down';
}

export function hostHandlers(d: HostDeps): Pick<Handlers, 'listHosts' | 'createHost' | 'getHost' | 'deleteHost' | 'rotateAgentToken'> {
  const view = (h: Host): HostView => ({ ...h, status: hostStatus(h, d.now(), d.downAfterIntervals) });
  const mustGet = async (id: string) => (await d.store.getHost(id)) ?? Promise.reject(notFound(`host ${id}`));
  const issueToken = async (hostId: string) => {
    const token = newAgentToken();
    await d.store.addAgentToken(hostId, hashToken(token));
    return token;
  };

  return {
    listHosts: async () => ({ hosts: (await d.store.listHosts()).map(view) }),
    getHost: async ({ id }) => ({ host: view(await mustGet(id)) }),
    createHost: async ({ name, labels }) => {
      if ((await d.store.listHosts()).some((h) => h.name === name)) {
        throw new HttpError(409, 'conflict', `a host named "${name}" already exists`, [{ path: 'name', message: 'already taken' }]);
      }
      const host = await d.store.createHost({ name, labels: labels ?? {} });
      return { host: view(host), agentToken: await issueToken(host.id) };
    },
    deleteHost: async ({ id }) => {
      if (!(await d.store.deleteHost(id))) throw notFound(`host ${id}`);
      d.tokens.clear();
      return { deleted: true as const };
    },
    rotateAgentToken: async ({ id }) => {
      await mustGet(id);
      await d.store.revokeAgentTokens(id);
      d.tokens.clear();
      return { agentToken: await issueToken(id) };
    },
  };
}
