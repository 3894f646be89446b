import { log } from './log.js';
import { removeDockerConfigDir } from './state.js';

/** The `post:` step: runs even when the main step failed or was cancelled, so no credentials stay behind. */
export function cleanup(): void {
  const removed = removeDockerConfigDir();
  if (removed) log.info(`Removed the private DOCKER_CONFIG ${removed}.`);
}
