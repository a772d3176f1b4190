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
