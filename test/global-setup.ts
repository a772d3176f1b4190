// Builds the bundles that process-level tests run (server and agent), once per test run.
import { build } from '../scripts/build.js';

export default async function setup(): Promise<void> {
  await build({ quiet: true });
}
