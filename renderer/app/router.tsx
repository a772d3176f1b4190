// A small hash router: the same build works served at / by core and loaded from a file by the
// desktop window, with no server-side routes to keep in sync. Paths look like #/servers/abc?range=1h.
import { useSyncExternalStore, type AnchorHTMLAttributes, type ReactNode } from 'react';

export interface Location {
  path: string;
  query: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, qs = ''] = raw.split('?', 2) as [string, string?];
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(qs) };
}

/** Params of `pattern` (e.g. /servers/:id) in `path`, or null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', `#${to}`);
  else history.pushState(null, '', `#${to}`);
  // pushState does not fire hashchange: tell the subscribers ourselves.
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** Replaces the query of the current location (filters, time ranges) without a history entry. */
export function setQuery(update: Record<string, string | null>): void {
  const { path, query } = parseHash(location.hash);
  for (const [k, v] of Object.entries(update)) {
    if (v === null || v === '') query.delete(k);
    else query.set(k, v);
  }
  const qs = query.toString();
  navigate(path + (qs ? `?${qs}` : ''), { replace: true });
}

const subscribe = (cb: () => void) => {
  window.addEventListener('hashchange', cb);
  window.addEventListener('popstate', cb);
  return () => {
    window.removeEventListener('hashchange', cb);
    window.removeEventListener('popstate', cb);
  };
};

export function useLocation(): Location {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  return parseHash(hash);
}

export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return (
    <a href={`#${to}`} {...rest}>
      {children}
    </a>
  );
}
