// Builds the bundles that process-level tests run (server and agent), once per test run, and this
// host's agent artifact (runtime from the npm registry, cached) for test/agent-artifact.test.ts.
import type { TestProject } from 'vitest/node';
import { build } from '../scripts/build.js';
import { packageForTests, type ArtifactBuildStatus } from '../scripts/package-agent.js';

declare module 'vitest' {
  export interface ProvidedContext {
    agentArtifact: ArtifactBuildStatus;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  await build({ quiet: true });
  const artifact = await packageForTests();
  if (artifact.status === 'skip') console.warn(`agent artifact not built, its tests will skip: ${artifact.message}`);
  project.provide('agentArtifact', artifact);
}
