// Turns a posted body into a batch ready to commit: strict schema checks (400 naming the field),
// then policy on content that is well-formed but unwanted, which is dropped and counted in the ack
// rather than failing the whole batch: samples outside the time window, unknown metric names.
import { z } from 'zod';
import { batchSchema, type Ack, type Series, type ValidBatch } from '../../shared/protocol/index.js';
import { isKnownMetric } from '../../shared/metrics.js';
import { HttpError, invalidInput } from '../api/errors.js';
import type { BatchWrite } from '../store/types.js';
import { seriesLookValid } from './fast-series.js';

/** Everything but the series, which seriesLookValid checks far faster than zod. */
const envelopeSchema = batchSchema.extend({ series: z.array(z.unknown()) });

export interface TimeWindow {
  /** Oldest accepted timestamp (raw retention). */
  oldest: number;
  /** Newest accepted timestamp (now + allowed clock skew). */
  newest: number;
}

export type Dropped = Ack['dropped'];

export function parseBatch(body: Buffer): ValidBatch {
  const text = body.toString('utf8');
  // JSON can only carry NUL as an escape; PostgreSQL refuses it in text, so refuse it here for
  // both stores instead of failing the commit (which the agent would retry forever).
  if (text.includes('\\u0000')) throw new HttpError(400, 'invalid_input', 'invalid batch: strings may not contain NUL (\\u0000)');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'malformed_json', `body is not valid JSON: ${(err as Error).message}`);
  }
  const envelope = envelopeSchema.safeParse(json);
  if (envelope.success && seriesLookValid(envelope.data.series)) return { ...envelope.data, series: envelope.data.series as Series[] };
  // Slow path: the full schema says what is wrong (or accepts what the fast check was unsure of).
  const parsed = batchSchema.safeParse(json);
  if (!parsed.success) throw invalidInput(parsed.error, 'batch');
  return parsed.data;
}

export function prepareBatch(
  b: ValidBatch,
  hostId: string,
  receivedAt: number,
  window: TimeWindow,
): { write: BatchWrite; dropped: Dropped; accepted: number } {
  const dropped: Dropped = { tooOld: 0, tooNew: 0, unknownMetric: 0, seriesLimit: 0 };
  const series: BatchWrite['series'] = [];
  let accepted = 0;
  for (const s of b.series) {
    if (!isKnownMetric(s.name)) {
      dropped.unknownMetric += s.ts.length;
      continue;
    }
    const kept = keepInWindow(s.ts, s.values, window, dropped);
    if (kept.ts.length === 0) continue;
    series.push({ name: s.name, labels: s.labels ?? {}, ts: kept.ts, values: kept.values });
    accepted += kept.ts.length;
  }
  const events = b.events.filter((e) => {
    if (e.ts < window.oldest) dropped.tooOld++;
    else if (e.ts > window.newest) dropped.tooNew++;
    else return true;
    return false;
  });
  const write: BatchWrite = {
    batchId: b.batchId,
    hostId,
    receivedAt,
    agentVersion: b.agent.version,
    intervalMs: b.agent.intervalMs,
    series,
    events,
  };
  if (b.processes) write.processes = b.processes;
  if (b.inventory) write.inventory = b.inventory;
  return { write, dropped, accepted };
}

function keepInWindow(ts: number[], values: number[], w: TimeWindow, dropped: Dropped): { ts: number[]; values: number[] } {
  let inside = true;
  for (const t of ts) if (t < w.oldest || t > w.newest) inside = false;
  if (inside) return { ts, values }; // the common case allocates nothing
  const keptTs: number[] = [];
  const keptValues: number[] = [];
  ts.forEach((t, i) => {
    if (t < w.oldest) dropped.tooOld++;
    else if (t > w.newest) dropped.tooNew++;
    else {
      keptTs.push(t);
      keptValues.push(values[i]!);
    }
  });
  return { ts: keptTs, values: keptValues };
}
