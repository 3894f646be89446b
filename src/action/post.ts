import { log } from '../log.js';
import { inert } from '../util/inert.js';
import { removeSavedDockerConfigDir } from './state.js';

/**
 * The `post:` step: runs even when the main step failed or was cancelled, so no credentials stay
 * behind. It deletes only the private DOCKER_CONFIG the main step made and marked; anything else
 * in the saved state (a forged `::save-state`) is refused with a warning, and nothing is deleted.
 */
export function cleanup(env: NodeJS.ProcessEnv = process.env): void {
  const outcome = removeSavedDockerConfigDir(env);
  switch (outcome.kind) {
    case 'removed':
      log.info(`Removed the private DOCKER_CONFIG ${inert(outcome.dir)}.`);
      break;
    case 'refused':
      log.warning(
        `post: the saved DOCKER_CONFIG path "${inert(outcome.dir, 200)}" is not a folder this action made (${outcome.reason}), so nothing was deleted. If a step printed ::save-state, that is why; otherwise report it.`,
      );
      break;
    case 'gone':
    case 'none':
      break;
  }
}
