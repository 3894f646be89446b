import { actionLogger } from './action/logger.js';
import { cleanup } from './action/post.js';
import { errorMessage } from './errors.js';
import { log, setLogger } from './log.js';
import { inert } from './util/inert.js';

setLogger(actionLogger);
try {
  cleanup();
} catch (error) {
  // Credentials may be left behind: say so loudly, and fail the post step.
  log.error(`post: could not remove the private DOCKER_CONFIG (${inert(errorMessage(error), 200)}). Delete it from the runner by hand.`);
  process.exitCode = 1;
}
