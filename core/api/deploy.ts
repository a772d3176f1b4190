// Deployer procedures: servers (credentials in, never out), host keys, probes and deploy runs.
// SSH failures are the caller's to act on (unreachable, refused login, changed host key): they come
// back as 502 with the deployer's message, not as internal errors.
import { runView } from '../deploy/deployer.js';
import { UnknownServerError } from '../deploy/deployer.js';
import { DeployError } from '../deploy/errors.js';
import { ServerInputError } from '../deploy/servers.js';
import { ServerNotFound, type DeployService } from '../deploy/service.js';
import type { Handlers } from './contract-routes.js';
import { HttpError, notFound } from './errors.js';

type DeployHandlers = Pick<
  Handlers,
  | 'listServers'
  | 'getServer'
  | 'createServer'
  | 'updateServer'
  | 'deleteServer'
  | 'scanHostKey'
  | 'pinHostKey'
  | 'forgetHostKey'
  | 'probeServer'
  | 'startDeploy'
  | 'listDeploys'
  | 'getDeploy'
>;

function mapError(err: unknown): never {
  if (err instanceof ServerInputError)
    throw new HttpError(400, 'invalid_input', `${err.path}: ${err.message}`, [{ path: err.path, message: err.message }]);
  if (err instanceof ServerNotFound) throw notFound(err.message.replace(/ not found$/, ''));
  if (err instanceof UnknownServerError)
    throw new HttpError(400, 'invalid_input', err.message, [{ path: 'serverIds', message: err.message }]);
  if (err instanceof DeployError) throw new HttpError(502, 'ssh_failed', err.message);
  throw err;
}

const guard =
  <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
  async (...a: A): Promise<R> => {
    try {
      return await fn(...a);
    } catch (err) {
      return mapError(err);
    }
  };

export function deployHandlers(svc: DeployService): DeployHandlers {
  const { servers, store } = svc;
  const one = async (id: string) => {
    const s = await servers.get(id);
    if (!s) throw notFound(`server ${id}`);
    return { server: servers.view(s) };
  };
  return {
    listServers: async () => ({ servers: (await servers.list()).map((s) => servers.view(s)) }),
    getServer: async (_i, { id }) => one(id),
    createServer: guard(async (input) => ({ server: servers.view(await servers.create(input)) })),
    updateServer: guard(async (patch, { id }) => {
      const s = await servers.update(id, patch);
      if (!s) throw notFound(`server ${id}`);
      return { server: servers.view(s) };
    }),
    deleteServer: async (_i, { id }) => {
      const s = await servers.get(id);
      if (!s) throw notFound(`server ${id}`);
      const dependents = (await servers.list()).filter((x) => x.spec.jumpServerId === s.id);
      if (dependents.length)
        throw new HttpError(409, 'conflict', `${s.name} is the jump server of ${dependents.map((d) => d.name).join(', ')}`);
      svc.tunnels.drop(s.id);
      await store.deleteServer(s.id);
      return { deleted: true as const };
    },
    scanHostKey: guard(async (_i, { id }) => svc.scanHostKey(id)),
    pinHostKey: async ({ fingerprint }, { id }) => {
      if (!(await servers.get(id))) throw notFound(`server ${id}`);
      await servers.pinHostKey(id, fingerprint);
      return one(id);
    },
    forgetHostKey: async (_i, { id }) => {
      if (!(await servers.get(id))) throw notFound(`server ${id}`);
      await store.setHostKey(id, null, svc.ctx.now());
      return one(id);
    },
    probeServer: guard(async (_i, { id }) => ({ probe: await svc.probe(id) })),
    startDeploy: guard(async ({ action, serverIds, concurrency }) => ({
      run: runView(await svc.deployer.start(action, serverIds, concurrency)),
    })),
    listDeploys: async ({ limit }) => ({ runs: (await store.listRuns(limit)).map(runView) }),
    getDeploy: async (_i, { id }) => {
      const run = await svc.deployer.get(id);
      if (!run) throw notFound(`deploy run ${id}`);
      return { run: runView(run) };
    },
  };
}
