import { removeSavedDockerConfigDir } from './action/docker-config-state.js';
import { postSaysNothing, sayPostOutcome, type PostOutcome } from './action/post.js';
import { setLogger } from './log.js';
import { inert, quoted } from './util/inert.js';

// The `post:` step runs after every run of the action, and most leave it nothing to clean (verify and
// reconcile save nothing; a publish removes its own folder when it ends). It then ends here, silent,
// without loading the toolkit: a tenth of a second of CPU less in every job. The runner's logger is
// loaded only when there is something to say.
let outcome: PostOutcome;
try {
  outcome = removeSavedDockerConfigDir();
} catch (error) {
  outcome = { kind: 'failed', error };
}
if (!postSaysNothing(outcome))
  void import('./action/logger.js').then(
    ({ actionLogger }) => {
      setLogger(actionLogger);
      sayPostOutcome(outcome);
    },
    (error: unknown) => {
      // The logger could not load (a broken dist/): still say why the step fails, on stderr.
      const folder =
        'dir' in outcome ? ` The private DOCKER_CONFIG is ${quoted(outcome.dir, 300)}: delete it from the runner by hand if it is still there.` : '';
      process.stderr.write(
        `post: could not load the logger (${inert(error, 200)}); the cleanup was: ${outcome.kind}${outcome.kind === 'failed' ? ` (${inert(outcome.error, 200)})` : ''}.${folder}\n`,
      );
      process.exitCode = 1;
    },
  );
