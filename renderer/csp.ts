// Runs before the app (the first module script in index.html): the dashboard's CSP allows no eval
// (core/api/static.ts), so zod must not probe for it. Its probe, new Function(''), is caught, but
// the browser still reports the refused eval as a console error on every page.
import { config } from 'zod';

config({ jitless: true });
