// Registers every procedure of shared/contract as a route: one place that merges params, query and
// body, validates them with the procedure's input schema, and checks the handler's answer against
// its output schema, so a handler cannot drift from what clients are typed against.
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { procedures, type ProcedureName, type Procedures } from '../../shared/contract/index.js';
import { invalidInput } from './errors.js';

export type Handlers = {
  [N in ProcedureName]: (input: z.output<Procedures[N]['input']>) => Promise<z.input<Procedures[N]['output']>>;
};

export function registerContract(app: FastifyInstance, handlers: Handlers): void {
  for (const name of Object.keys(procedures) as ProcedureName[]) {
    const proc = procedures[name];
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    app.route({
      method: proc.method,
      url: proc.path,
      handler: async (req, reply) => {
        const raw = { ...(req.query as object), ...(isObject(req.body) ? req.body : {}), ...(req.params as object) };
        const input = proc.input.safeParse(raw);
        if (!input.success) throw invalidInput(input.error);
        const output = proc.output.safeParse(await handler(input.data));
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
