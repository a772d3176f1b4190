// A value people copy out of the page (a secret shown once, a command line): the text, selectable,
// and a Copy button that says whether it worked. Where the page has no clipboard (plain HTTP on an
// address other than localhost is not a secure context), the text is selected for Ctrl+C instead.
import { useRef, useState } from 'react';

export function Copyable({
  value,
  what,
  block = false,
  testId,
}: {
  value: string;
  /** Names the button for assistive technology: "Copy <what>". */
  what: string;
  /** A command line: a block of its own, wrapped, instead of inline. */
  block?: boolean;
  testId?: string;
}) {
  const ref = useRef<HTMLElement>(null);
  const [status, setStatus] = useState<string | null>(null);
  const selectText = () => {
    const el = ref.current;
    const sel = window.getSelection();
    if (!el || !sel) return;
    sel.selectAllChildren(el);
  };
  const copy = () => {
    if (!navigator.clipboard?.writeText) {
      selectText();
      setStatus('This page cannot use the clipboard (not HTTPS or localhost): the text is selected, press Ctrl+C.');
      return;
    }
    navigator.clipboard
      .writeText(value)
      .then(() => setStatus('Copied.'))
      .catch((err: Error) => {
        selectText();
        setStatus(`Cannot copy (${err.message}): the text is selected, press Ctrl+C.`);
      });
  };
  const text = (
    <code ref={ref} className="copyable-text" data-testid={testId}>
      {value}
    </code>
  );
  const actions = (
    <span className="copyable-actions">
      <button type="button" className="ghost" aria-label={`Copy ${what}`} onClick={copy}>
        Copy
      </button>
      <span role="status" className="muted">
        {status}
      </span>
    </span>
  );
  return block ? (
    <div className="copyable copyable-block">
      <pre>{text}</pre>
      {actions}
    </div>
  ) : (
    <span className="copyable">
      {text}
      {actions}
    </span>
  );
}
