// The app shell: a skip link, the navigation bar, the theme switch, and the page for the current
// route. Focus moves to the page's heading area on navigation so keyboard users land on the content.
import { Suspense, useEffect, useRef, type ReactNode } from 'react';
import { Link, matchPath, useLocation } from './router.js';
import { routes, type RouteDef } from './routes.js';
import { useTheme } from './theme.js';
import { LiveStatus } from '../live/LiveStatus.js';

export function resolveRoute(path: string): { route: RouteDef; params: Record<string, string> } | null {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return null;
}

export function Shell({ account }: { account?: ReactNode }) {
  const { path } = useLocation();
  const [theme, toggleTheme] = useTheme();
  const main = useRef<HTMLElement>(null);
  const match = resolveRoute(path);
  const title = match?.route.title ?? 'Not found';

  useEffect(() => {
    document.title = `${title} · Watchtower`;
    main.current?.focus({ preventScroll: true });
  }, [path, title]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Watchtower</span>
        <nav aria-label="Main">
          <ul>
            {routes
              .filter((r) => r.nav)
              .map((r) => {
                const active = r.path === '/' ? path === '/' : path === r.path || path.startsWith(`${r.path}/`);
                return (
                  <li key={r.path}>
                    <Link to={r.path} aria-current={active ? 'page' : undefined}>
                      {r.nav}
                    </Link>
                  </li>
                );
              })}
          </ul>
        </nav>
        <div className="topbar-end">
          <LiveStatus />
          <button
            type="button"
            className="ghost"
            onClick={toggleTheme}
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          {account}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {match ? (
          <Suspense fallback={<p className="muted">Loading…</p>}>{match.route.render(match.params)}</Suspense>
        ) : (
          <section>
            <h1>Page not found</h1>
            <p>
              Nothing lives at <code>{path}</code>. <Link to="/">Go to the overview</Link>.
            </p>
          </section>
        )}
      </main>
    </div>
  );
}
