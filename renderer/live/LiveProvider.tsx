// Connects the live stream for the signed-in app and feeds it into the query cache and the live
// samples store. Pages that need raw events (deploy progress) subscribe with useLiveEvent.
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { LiveEventName, LivePayload } from '../../shared/contract/index.js';
import { SESSION_KEY } from '../app/session.js';
import { createBatcher } from './batcher.js';
import { applyLiveEvents } from './cache.js';
import { LiveConnection, type LiveEvent, type LiveState } from './connection.js';
import { LiveSamples } from './samples.js';

type AnyListener = (e: LiveEvent) => void;

interface LiveContextValue {
  samples: LiveSamples;
  state: LiveState;
  listeners: Set<AnyListener>;
}

const LiveContext = createContext<LiveContextValue | null>(null);

/** ws(s)://host of the page (or of the API base URL the desktop shell passes). */
export function wsBase(apiBase: string, loc: { protocol: string; host: string }): string {
  const base = apiBase || `${loc.protocol}//${loc.host}`;
  return base.replace(/^http/, 'ws');
}

export function LiveProvider({ apiBase = '', children }: { apiBase?: string; children: ReactNode }) {
  const qc = useQueryClient();
  const samples = useMemo(() => new LiveSamples(), []);
  const listeners = useRef(new Set<AnyListener>()).current;
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    const batcher = createBatcher<LiveEvent>((batch) => {
      applyLiveEvents(qc, samples, batch);
      for (const e of batch) for (const l of listeners) l(e);
    });
    const conn = new LiveConnection({
      baseUrl: wsBase(apiBase, location),
      onEvent: (e) => batcher.push(e),
      onResync: () => void qc.invalidateQueries(),
      onState: setState,
      onError: (err) => console.warn(err.message),
      onUnauthorized: () => void qc.invalidateQueries({ queryKey: SESSION_KEY }),
    });
    conn.start();
    return () => {
      conn.stop();
      batcher.stop();
    };
  }, [apiBase, qc, samples, listeners]);

  const value = useMemo(() => ({ samples, state, listeners }), [samples, state, listeners]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

function useLiveContext(): LiveContextValue {
  const ctx = useContext(LiveContext);
  if (!ctx) throw new Error('live hooks need <LiveProvider>');
  return ctx;
}

export const useLiveState = () => useLiveContext().state;
export const useLiveSamples = () => useLiveContext().samples;

/** Re-renders when this host gets a live batch; returns the store to read values from. */
export function useHostLive(hostId: string): LiveSamples {
  const samples = useLiveSamples();
  useSyncExternalStore(
    (cb) => samples.subscribe(hostId, cb),
    () => samples.versionOf(hostId),
  );
  return samples;
}

/** Calls `handler` for every live event of one name (latest handler, no resubscribe per render). */
export function useLiveEvent<E extends LiveEventName>(event: E, handler: (payload: LivePayload<E>) => void): void {
  const { listeners } = useLiveContext();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const l: AnyListener = (e) => {
      if (e.event === event) ref.current(e.payload as LivePayload<E>);
    };
    listeners.add(l);
    return () => void listeners.delete(l);
  }, [event, listeners]);
}
