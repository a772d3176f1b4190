// Builds the bundles that process-level tests run (server and agent), once per test run, and this
// host's agent artifact (runtime from the npm registry, cached) for test/agent-artifact.test.ts, and
// the linux-arm64 one where qemu-user can run it, for test/agent-artifact-arm64.test.ts.
import type { TestProject } from 'vitest/node';
import { build } from '../scripts/build.js';
import { packageForTests, type ArtifactBuildStatus } from '../scripts/package-agent.js';
import { arm64Emulation, packageTarget } from './helpers/emulation.js';

declare module 'vitest' {
  export interface ProvidedContext {
    agentArtifact: ArtifactBuildStatus;
    agentArtifactArm64: ArtifactBuildStatus;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  await build({ quiet: true });
  const artifact = await packageForTests();
  if (artifact.status === 'skip') console.warn(`agent artifact not built, its tests will skip: ${artifact.message}`);
  project.provide('agentArtifact', artifact);
  // Not downloaded (52 MB) where nothing could run it.
  const emulation = arm64Emulation();
  const arm64 = emulation.ok ? await packageTarget('linux-arm64') : { status: 'skip' as const, message: emulation.reason };
  if (arm64.status === 'skip') console.warn(`linux-arm64 agent artifact not built, its tests will skip: ${arm64.message}`);
  project.provide('agentArtifactArm64', arm64);
}
