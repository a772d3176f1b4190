// TanStack Query over the typed client. Query keys start with the procedure's name, so live events
// can invalidate or update every query of a procedure at once (see live/).
import { useMutation, useQuery, useQueryClient, type QueryKey, type UseMutationOptions, type UseQueryOptions } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import type { Input, Output, ProcedureName } from '../../shared/contract/index.js';
import type { ApiClient, ApiError } from './client.js';

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}

export function queryKey<N extends ProcedureName>(name: N, input?: Input<N>): QueryKey {
  return input === undefined ? [name] : [name, input];
}

type QueryOpts<N extends ProcedureName, T> = Omit<UseQueryOptions<Output<N>, ApiError, T>, 'queryKey' | 'queryFn'>;

export function useApiQuery<N extends ProcedureName, T = Output<N>>(name: N, input: Input<N>, options: QueryOpts<N, T> = {}) {
  const api = useApi();
  return useQuery<Output<N>, ApiError, T>({
    queryKey: queryKey(name, input),
    queryFn: () => (api.call as (n: N, i: Input<N>) => Promise<Output<N>>)(name, input),
    ...options,
  });
}

type MutationOpts<N extends ProcedureName> = Omit<UseMutationOptions<Output<N>, ApiError, Input<N>>, 'mutationFn'> & {
  /** Procedures whose queries are refetched after a success. */
  invalidates?: ProcedureName[];
};

export function useApiMutation<N extends ProcedureName>(name: N, options: MutationOpts<N> = {}) {
  const api = useApi();
  const qc = useQueryClient();
  const { invalidates = [], onSuccess, ...rest } = options;
  return useMutation<Output<N>, ApiError, Input<N>>({
    mutationFn: (input) => (api.call as (n: N, i: Input<N>) => Promise<Output<N>>)(name, input),
    onSuccess: async (...args) => {
      await Promise.all(invalidates.map((p) => qc.invalidateQueries({ queryKey: [p] })));
      await onSuccess?.(...args);
    },
    ...rest,
  });
}
