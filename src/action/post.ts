import { errorMessage } from '../errors.js';
import { log } from '../log.js';
import { inert } from '../util/inert.js';
import type { SavedCleanup } from './docker-config-state.js';

/** What `post:` did, or that it could not remove the folder. */
export type PostOutcome = SavedCleanup | { kind: 'failed'; error: unknown };

/** Whether `post:` has anything to say: nothing saved, or the main step removed its folder itself, is silent. */
export const postSaysNothing = (outcome: PostOutcome): boolean => outcome.kind === 'none' || outcome.kind === 'gone';

/**
 * The `post:` step's words: it runs even when the main step failed or was cancelled, so no credentials
 * stay behind. It deleted only the private DOCKER_CONFIG the main step made and marked; anything else in
 * the saved state (a forged `::save-state`) was refused, and nothing deleted.
 */
export function sayPostOutcome(outcome: PostOutcome): void {
  switch (outcome.kind) {
    case 'removed':
      log.info(`Removed the private DOCKER_CONFIG ${inert(outcome.dir)}.`);
      break;
    case 'refused':
      log.warning(
        `post: the saved DOCKER_CONFIG path "${inert(outcome.dir, 200)}" is not a folder this action made (${outcome.reason}), so nothing was deleted. If a step printed ::save-state, that is why; otherwise report it.`,
      );
      break;
    case 'failed':
      // Credentials may be left behind: say so loudly, and fail the post step.
      log.error(`post: could not remove the private DOCKER_CONFIG (${inert(errorMessage(outcome.error), 200)}). Delete it from the runner by hand.`);
      process.exitCode = 1;
      break;
    case 'gone':
    case 'none':
      break;
  }
}
