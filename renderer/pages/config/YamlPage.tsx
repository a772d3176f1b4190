// Configuration as code in the dashboard: the export as YAML, edited here, checked by the server
// (a dry run: validation errors by line, or the diff), then applied. Same format as
// `watchtower config export/import`, so a file and this view round-trip.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { Output } from '../../../shared/contract/index.js';
import { ApiError } from '../../api/client.js';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { CheckboxField } from './common.js';
import { YamlDiffView } from './YamlDiffView.js';

type Preview = { yaml: string; prune: boolean; result: Output<'importConfig'> };

/** Character offset of the start of a 1-based line. */
const offsetOfLine = (text: string, line: number) =>
  text
    .split('\n')
    .slice(0, line - 1)
    .join('\n').length + (line > 1 ? 1 : 0);

export function YamlPage() {
  const qc = useQueryClient();
  // Always fetched afresh when the page opens (rules may have changed on the other tabs); the editor
  // takes the text once that fetch is done and is never overwritten under the user's edits.
  const exported = useApiQuery('exportConfig', {}, { staleTime: 0, refetchOnMount: 'always', refetchOnWindowFocus: false });
  const [text, setText] = useState<string | null>(null);
  const [prune, setPrune] = useState(false);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [applied, setApplied] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const check = useApiMutation('importConfig');
  const apply = useApiMutation('importConfig');

  useEffect(() => {
    if (exported.data && !exported.isFetching && text === null) setText(exported.data.yaml);
  }, [exported.data, exported.isFetching, text]);

  const current = text ?? '';
  const upToDate = preview !== null && preview.yaml === current && preview.prune === prune;
  const issues = check.error instanceof ApiError ? check.error.issues : [];

  const goToLine = (line: number) => {
    const el = area.current;
    if (!el) return;
    const at = offsetOfLine(current, line);
    el.focus();
    el.setSelectionRange(at, at + (current.slice(at).indexOf('\n') + 1 || current.length - at));
  };

  return (
    <>
      <div className="toolbar">
        <h2>YAML</h2>
        <p className="muted">
          Rules, escalation policies, channels and silences as one document. Secrets show as dots; leave them to keep the stored ones.
        </p>
      </div>
      <ErrorBanner title="Cannot export the configuration" error={exported.error} onRetry={() => void exported.refetch()} />
      {applied && (
        <p className="banner banner-info" role="status">
          {applied}
        </p>
      )}
      <form
        aria-label="Configuration as YAML"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(null);
          check.mutate({ yaml: current, prune, dryRun: true }, { onSuccess: (result) => setPreview({ yaml: current, prune, result }) });
        }}
      >
        <label htmlFor="config-yaml" className="visually-hidden">
          Configuration document
        </label>
        <textarea
          id="config-yaml"
          ref={area}
          className="yaml-editor"
          spellCheck={false}
          rows={24}
          value={current}
          disabled={text === null}
          aria-invalid={issues.length ? true : undefined}
          aria-describedby={issues.length ? 'yaml-issues' : undefined}
          onChange={(e) => setText(e.target.value)}
        />
        {check.error && (
          <div className="banner banner-error" role="alert" id="yaml-issues">
            <strong>The document is not valid:</strong>
            {issues.length ? (
              <ul>
                {issues.map((i, k) => {
                  const line = /\(line (\d+)\)$/.exec(i.message)?.[1] ?? /^line (\d+)/.exec(i.path)?.[1];
                  return (
                    <li key={k}>
                      <code>{i.path}</code>: {i.message}{' '}
                      {line && (
                        <button type="button" className="ghost" onClick={() => goToLine(Number(line))}>
                          Go to line {line}
                        </button>
                      )}
                    </li>
                  );
                })}
              </ul>
            ) : (
              <span>{check.error.message}</span>
            )}
          </div>
        )}
        <div className="actions">
          <CheckboxField
            label="Delete what the document no longer lists (of the kinds it lists)"
            checked={prune}
            onChange={(e) => setPrune(e.target.checked)}
          />
        </div>
        <div className="actions">
          <button type="submit" disabled={text === null || check.isPending}>
            {check.isPending ? 'Checking…' : 'Check changes'}
          </button>
          <button
            type="button"
            className="ghost"
            disabled={!exported.data || current === exported.data.yaml}
            onClick={() => (setText(exported.data?.yaml ?? ''), setPreview(null), check.reset())}
          >
            Discard edits
          </button>
        </div>
      </form>
      {preview && upToDate && (
        <section className="card" aria-label="Preview">
          <YamlDiffView before={exported.data?.yaml ?? ''} after={preview.yaml} changes={preview.result.changes} />
          <ErrorBanner title="Cannot apply" error={apply.error} />
          <div className="actions">
            <button
              type="button"
              disabled={apply.isPending || preview.result.changes.every((c) => c.action === 'unchanged')}
              onClick={() =>
                apply.mutate(
                  { yaml: preview.yaml, prune: preview.prune, dryRun: false },
                  {
                    onSuccess: async (out) => {
                      const a = out.applied ?? { created: 0, updated: 0, deleted: 0 };
                      setApplied(`Applied: ${a.created} created, ${a.updated} updated, ${a.deleted} deleted.`);
                      setPreview(null);
                      // Refetch first: the editor then starts again from the export as it now is.
                      await Promise.all(
                        ['exportConfig', 'listRules', 'listPolicies', 'listChannels', 'listSilences'].map((k) =>
                          qc.invalidateQueries({ queryKey: [k] }),
                        ),
                      );
                      setText(null);
                    },
                  },
                )
              }
            >
              {apply.isPending ? 'Applying…' : 'Apply these changes'}
            </button>
          </div>
        </section>
      )}
      {preview && !upToDate && <p className="muted">The text changed since the last check: check again to see what applying would do.</p>}
    </>
  );
}
