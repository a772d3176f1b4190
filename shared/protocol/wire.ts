// Protocol constants without the schemas, so the agent's bundle does not carry (or load) zod:
// it builds batches with the types of v1.ts and these values.
export const PROTOCOL_VERSION = 1;

export const LIMITS = {
  batchIdLength: 128,
  metricNameLength: 128,
  labelsPerSeries: 16,
  labelKeyLength: 64,
  labelValueLength: 256,
  seriesPerBatch: 20_000,
  samplesPerSeries: 10_000,
  eventsPerBatch: 5_000,
  eventMessageLength: 16_384,
  processesPerBatch: 100,
} as const;

export const INGEST_PATH = '/ingest/v1/batches';

/**
 * Set on every answer of the ingest endpoint itself. An agent drops a batch refused with a 4xx only
 * when this says Watchtower's ingest judged it; any other 4xx (the API's port, a proxy, a wrong
 * path) is a misdirected agent, and its batches stay buffered.
 */
export const INGEST_HEADER = 'watchtower-ingest';
