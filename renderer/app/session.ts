// The signed-in session lives in the query cache under one key; the client reads its CSRF token
// from there for every change it sends.
import type { QueryClient } from '@tanstack/react-query';
import type { Output } from '../../shared/contract/index.js';
import { queryKey } from '../api/hooks.js';

export const SESSION_KEY = queryKey('currentSession', {});

export const csrfFrom = (qc: QueryClient) => () => qc.getQueryData<Output<'currentSession'>>(SESSION_KEY)?.csrfToken ?? null;
