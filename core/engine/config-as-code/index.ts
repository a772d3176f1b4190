// Config as code for the incident engine: parse a YAML document, diff it against the store, apply it;
// export writes the store back in the same format.
export { applyChanges, type ApplyResult, type ConfigWriter } from './apply.js';
export type { Known } from './checks.js';
export { diffConfig, formatDiff, type Change, type ChangeAction, type DiffOptions } from './diff.js';
export {
  documentSchema,
  parseDocument,
  type DocError,
  type DocumentInput,
  type ParseOptions,
  type ParseResult,
  type ParsedDoc,
} from './document.js';
export { exportDocument } from './export.js';
export { danglingReferences } from './references.js';
export type { ConfigSpec } from './kinds.js';
export { specForApi, specToInput, type ConfigInput, type FormOptions, type InputByKind } from './form.js';
