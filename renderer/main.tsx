// The dashboard's entry: one query client, one API client (reading the session's CSRF token from the
// cache), and the app. 401 from any call other than the session check drops back to sign-in.
import { notifyManager, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/client.js';
import { ApiContext } from './api/hooks.js';
import { App } from './app/App.js';
import { csrfFrom, SESSION_KEY } from './app/session.js';
import './app/theme.css';

// Cache changes reach components in the same task (live events are already batched per frame in
// live/batcher.ts), instead of one setTimeout hop later: the hop is what a live update waits for
// most on a busy machine.
notifyManager.setScheduler(queueMicrotask);

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { refetchOnWindowFocus: true, staleTime: 5_000, retry: (n, err) => n < 2 && (err as { status?: number }).status === 0 },
  },
});
const api = createClient({
  csrfToken: csrfFrom(queryClient),
  onUnauthorized: (_err, procedure) => {
    if (procedure !== 'currentSession' && procedure !== 'signIn' && procedure !== 'completeSetup')
      void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ApiContext.Provider value={api}>
        <App />
      </ApiContext.Provider>
    </QueryClientProvider>
  </StrictMode>,
);
