// Maps and lists typed as text in forms: labels as "team=ops, env=prod", host names as
// "web-1, web-2". Parsing errors are reported at the field before anything is sent.
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** "a=1, b=2" (commas or new lines) → { a: "1", b: "2" }; a part without "=" is an error naming it. */
export function parseMap(text: string): Parsed<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,\n]/)) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq <= 0) return { ok: false, error: `"${p}" is not name=value` };
    out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return { ok: true, value: out };
}

export const formatMap = (m: Record<string, string> | undefined): string =>
  Object.entries(m ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** "a, b" (commas, spaces or new lines) → ["a", "b"]. */
export const parseList = (text: string): string[] => text.split(/[,\s]+/).filter(Boolean);
export const formatList = (l: readonly string[] | undefined): string => (l ?? []).join(', ');

export interface FieldIssue {
  path: string;
  message: string;
}

export interface PlacedIssues {
  /** The first message for each form field. */
  fields: Record<string, string>;
  /** Issues no field of the form shows: the caller puts them in a banner. */
  rest: FieldIssue[];
}

/**
 * Puts each API issue at the form field it belongs to. `fieldOf` maps an issue path
 * (`scope.hosts[0]`, `settings.url`, `levels[1].channels[0]`) to a field name, or null.
 */
export function placeIssues(issues: readonly FieldIssue[], fieldOf: (path: string) => string | null): PlacedIssues {
  const fields: Record<string, string> = {};
  const rest: FieldIssue[] = [];
  for (const i of issues) {
    const f = fieldOf(i.path);
    if (f === null) rest.push(i);
    else fields[f] ??= i.message;
  }
  return { fields, rest };
}

/** `scope.hosts[0]` → ["scope", "hosts", 0]. */
export function pathParts(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}
