// What the engine's parts share: an injectable clock (timeline tests drive time), and the
// dependencies the composition root hands in.
import type { Logger } from 'pino';
import type { Coordination } from '../bus/index.js';
import type { AlertingStore } from '../store/alerting/store.js';
import type { Store } from '../store/types.js';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface EngineDeps {
  store: Store;
  alerting: AlertingStore;
  coordination: Coordination;
  clock: Clock;
  log: Logger;
  /** Names this instance in timer claims and logs. */
  instanceId: string;
  /** Public base URL of the dashboard, for links in notifications. */
  publicUrl?: string;
}

/** Bus topics the engine publishes (the API streams them to dashboards). */
export const TOPICS = {
  incident: 'incident.changed',
  config: 'alerting.config.changed',
} as const;
