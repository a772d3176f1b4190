// Who acknowledges, resolves and writes notes: the signed-in user, as the timeline shows it.
import type { Output } from '../../../shared/contract/index.js';
import { useApiQuery } from '../../api/hooks.js';

export function useActor(): string {
  // Already in the cache (App loads it before any page); never refetched from here.
  const session = useApiQuery('currentSession', {}, { staleTime: Infinity, retry: false });
  return (session.data as Output<'currentSession'> | undefined)?.user.name ?? 'dashboard';
}
