import type { z } from 'zod';
import { alertingProcedures } from './alerting.js';
import { authProcedures } from './auth.js';
import { deployProcedures } from './deploy.js';
import { hostProcedures, type Procedure } from './procedures.js';
import { settingsProcedures } from './settings.js';

export * from './procedures.js';
export * from './alerting.js';
export * from './auth.js';
export * from './deploy.js';
export * from './events.js';
export * from './settings.js';

export const procedures = {
  ...hostProcedures,
  ...alertingProcedures,
  ...authProcedures,
  ...deployProcedures,
  ...settingsProcedures,
} as const satisfies Record<string, Procedure>;

export type Procedures = typeof procedures;
export type ProcedureName = keyof Procedures;
type ParamsOf<P> = P extends { params: z.ZodType } ? z.output<P['params']> : undefined;
export type Params<N extends ProcedureName> = ParamsOf<Procedures[N]>;
/** zod types `z.object({})`'s input as Record<string, never>, which no path param could join. */
type BodyOf<S extends z.ZodType> = z.input<S> extends Record<string, never> ? object : z.input<S>;
export type Input<N extends ProcedureName> = BodyOf<Procedures[N]['input']> &
  (Procedures[N] extends { params: z.ZodType } ? z.input<Procedures[N]['params']> : unknown);
export type Output<N extends ProcedureName> = z.output<Procedures[N]['output']>;
