// Graceful close with a deadline: in-flight requests get a grace period to finish, then whatever is
// still open (a stalled upload, a client that never reads its response) is cut, so one bad client
// cannot hold a shutdown or a restart forever.
import type { FastifyInstance } from 'fastify';

export const SHUTDOWN_GRACE_MS = 5000;

export async function closeWithin(app: FastifyInstance, graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
  const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}
