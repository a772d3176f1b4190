// Export: the stored configuration as a document that imports as a no-op. Durations are written the
// way people write them ("5m"), silence windows as ISO times, secrets as the REDACTED marker (import
// keeps the stored value), and fields equal to their schema default are left out to keep files short.
import { Document, isScalar, visit } from 'yaml';
import type { ConfigRecord } from '../../store/alerting/types.js';
import { redactInput, specToInput } from './form.js';
import { KINDS, byName, deepEqual, isObject, type ConfigSpec } from './kinds.js';

type Obj = Record<string, unknown>;

export function exportDocument(records: ConfigRecord[]): string {
  const body: Obj = { version: 1 };
  // Every kind is written, even empty: the file then describes the whole configuration, and an
  // import with prune makes the store match it exactly.
  for (const { kind, key, schema } of KINDS) {
    const specs = records.filter((r) => r.kind === kind).map((r) => r.spec as ConfigSpec);
    body[key] = specs.sort(byName).map((spec) => {
      const item = specToInput(kind, spec, { isoTimes: true });
      const roundTrips = () => {
        const parsed = schema.safeParse(item);
        return parsed.success && deepEqual(parsed.data, spec);
      };
      // A spec the current schema rejects (stored by an older version) is written as it is, for a person to fix.
      if (roundTrips()) omitDefaults(item, roundTrips);
      return redactInput(kind, item);
    });
  }
  const doc = new Document(body);
  doc.commentBefore =
    ' Watchtower alerting configuration. Secrets are written as the redaction marker;\n importing the marker keeps the stored secret.';
  // Lists of plain values on one line (`channels: [ops-email, ops-webhook]`), as people write them.
  visit(doc, { Seq: (_, seq) => void (seq.flow = seq.items.every((i) => isScalar(i))) });
  // No folding: one line per value keeps version-control diffs readable.
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * Leaves out every key (at any depth) whose absence parses to the same spec: exactly the defaults,
 * found by the schema itself rather than a hand-kept list that could drift from it.
 */
function omitDefaults(item: Obj, roundTrips: () => boolean): void {
  const visit = (o: Obj) => {
    for (const k of Object.keys(o)) {
      const entries = Object.entries(o);
      delete o[k];
      if (roundTrips()) continue;
      // Put the key back where it was, so the written order stays the schema's.
      for (const [x] of entries) delete o[x];
      for (const [x, v] of entries) o[x] = v;
      descend(o[k]);
    }
  };
  const descend = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(descend);
    else if (isObject(v)) visit(v);
  };
  visit(item);
}
