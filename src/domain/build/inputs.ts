import type { SecretEnv, SecretFile, SecretValue } from './secrets.js';

// The docker build's input vocabulary: what settings/ reads from the inputs and the runner, and what
// the docker argument builder (adapters/docker/args.ts) takes. Types only.

export interface BuildInputs {
  context: string;
  file: string;
  buildArgs: string[];
  labels: string[];
  tags: string[];
  target: string;
  platforms: string[];
  cacheFrom: string[];
  cacheTo: string[];
  noCache: boolean;
  push: boolean;
  provenance: string;
  /** `secrets`: id and value (masked before the build, written to a private file, never on a command line). */
  secrets: SecretValue[];
  secretFiles: SecretFile[];
  secretEnvs: SecretEnv[];
  /** `ssh`: `--ssh` values. */
  ssh: string[];
  /** `build-contexts`: `--build-context` values (buildx only). */
  buildContexts: string[];
}

/** What the runner (GitHub Actions or Gitea Actions) tells us about the commit being built. */
export interface RunContext {
  sha: string | undefined;
  ref: string | undefined;
  defaultBranch: string | undefined;
  sourceUrl: string | undefined;
  runId: string | undefined;
  tempDir: string;
}
