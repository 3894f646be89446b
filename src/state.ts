import * as core from '@actions/core';
import { rmSync } from 'node:fs';

/** The one place that names what the main step hands to the `post:` step. */
const DOCKER_CONFIG = 'docker-config';

let activeDockerConfig: string | undefined;

export function saveDockerConfigDir(dir: string): void {
  activeDockerConfig = dir;
  core.saveState(DOCKER_CONFIG, dir);
}

/** In the main step: the directory in use now. In `post:`: the one the main step saved. */
export function dockerConfigDir(): string | undefined {
  return activeDockerConfig ?? (core.getState(DOCKER_CONFIG) || undefined);
}

/** Retries cover a docker client writing into the folder while it is removed (ENOTEMPTY). */
export function removeDockerConfigDir(dir: string | undefined = dockerConfigDir()): string | undefined {
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  activeDockerConfig = undefined;
  return dir;
}
