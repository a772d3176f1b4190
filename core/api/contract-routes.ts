// Registers every procedure of shared/contract as a route: one place that validates path params,
// query and body with the procedure's schemas, and checks the handler's answer against its output
// schema, so a handler cannot drift from what clients are typed against.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { openProcedures, procedures, type Params, type ProcedureName, type Procedures } from '../../shared/contract/index.js';
import { plainIssue } from '../../shared/contract/issue-messages.js';
import type { Principal } from '../auth/service.js';
import { invalidInput } from './errors.js';

/** The request as a handler sees it: who calls (null only on open procedures), and the raw request for cookies. */
export interface CallContext {
  principal: Principal | null;
  req: FastifyRequest;
  reply: FastifyReply;
}

export type Handlers = {
  [N in ProcedureName]: (
    input: z.output<Procedures[N]['input']>,
    params: Params<N>,
    ctx: CallContext,
  ) => Promise<z.input<Procedures[N]['output']>>;
};

/** Authenticates a call before anything else looks at it; throws 401/403. Open procedures get `open`. */
export type Authenticate = (req: FastifyRequest, o: { open: boolean; changes: boolean }) => Promise<Principal | null>;

const OPEN: ReadonlySet<string> = new Set(openProcedures);

export function registerContract(app: FastifyInstance, handlers: Handlers, authenticate: Authenticate): void {
  for (const name of Object.keys(procedures) as ProcedureName[]) {
    const proc: { params?: z.ZodType } & (typeof procedures)[ProcedureName] = procedures[name];
    const handler = handlers[name] as (input: unknown, params: unknown, ctx: CallContext) => Promise<unknown>;
    app.route({
      method: proc.method,
      url: proc.path,
      handler: async (req, reply) => {
        // Before validation: an unsigned caller learns nothing about the input a route takes.
        const principal = await authenticate(req, { open: OPEN.has(name), changes: proc.method !== 'GET' });
        let params: unknown;
        if (proc.params) {
          const p = proc.params.safeParse(req.params, { error: plainIssue });
          if (!p.success) throw invalidInput(p.error);
          params = p.data;
        }
        const raw = { ...(req.query as object), ...(isObject(req.body) ? req.body : {}), ...(proc.params ? {} : (req.params as object)) };
        const input = proc.input.safeParse(raw, { error: plainIssue });
        if (!input.success) throw invalidInput(input.error);
        const output = proc.output.safeParse(await handler(input.data, params, { principal, req, reply }));
        if (!output.success) {
          req.log.error({ procedure: name, issues: output.error.issues }, 'handler answered outside the contract');
          throw new Error(`response of ${name} does not match the contract`);
        }
        reply.code('status' in proc ? proc.status : 200);
        return output.data;
      },
    });
  }
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);
