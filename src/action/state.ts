import * as core from '@actions/core';
import { rmSync, writeFileSync } from 'node:fs';
import { DOCKER_CONFIG, MARKER, markerText } from './docker-config-state.js';

let activeDockerConfig: string | undefined;

/**
 * Remembers the private DOCKER_CONFIG that `createPrivateDockerConfig` just made, marks it as
 * ours, and hands it to the `post:` step.
 */
export function saveDockerConfigDir(dir: string): void {
  activeDockerConfig = dir;
  markOurDockerConfig(dir);
  core.saveState(DOCKER_CONFIG, dir);
}

/** Writes the marker that tells `post:` the folder is ours (only ever into a folder just made by mkdtemp). */
export function markOurDockerConfig(dir: string): void {
  writeFileSync(`${dir}/${MARKER}`, markerText(dir), { mode: 0o600 });
}

/** In the main step: the directory in use now. */
export function dockerConfigDir(): string | undefined {
  return activeDockerConfig;
}

/**
 * In the main step (the end of the build, or SIGTERM): removes the folder this process made. Never
 * takes a path from outside. Retries cover a docker client writing into the folder (ENOTEMPTY).
 */
export function removeDockerConfigDir(dir: string | undefined = activeDockerConfig): string | undefined {
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  activeDockerConfig = undefined;
  return dir;
}
