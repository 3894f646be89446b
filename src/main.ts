import * as core from '@actions/core';
import { errorMessage, UserError } from './errors.js';
import { readInputs, type Inputs } from './inputs.js';
import { emitReport, emptyReport, hasDrift, renderFindings, type RunReport } from './report/report.js';
import { readRunnerContext, type RunnerContext } from './runner-context.js';
import { removeDockerConfigDir } from './state.js';
import { cancelWaits } from './aws/retry.js';

const MINIMUM_NODE_MAJOR = 20;

export function assertNodeVersion(): void {
  const major = Number.parseInt(process.versions.node.split('.')[0], 10);
  if (major < MINIMUM_NODE_MAJOR) {
    throw new UserError(`node: this action needs Node ${MINIMUM_NODE_MAJOR} or newer, and the runner has ${process.versions.node}. Put a newer node first on the runner's PATH.`);
  }
}

/**
 * Cancellation (SIGTERM/SIGINT from the runner) must not leave registry credentials behind, and
 * must end the step promptly: waits (propagation backoff) end at once, the private DOCKER_CONFIG
 * goes, and the process exits 250 ms later whatever is still pending (an AWS call, a docker child).
 */
function removeCredentialsOnSignal(): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      cancelWaits();
      const dir = removeDockerConfigDir();
      // A docker client that is just starting (it outlives us) may still write into the folder,
      // e.g. BuildKit's .buildNodeID: remove it once more before exiting. post: removes it again.
      setTimeout(() => {
        removeDockerConfigDir(dir);
        process.exit(1);
      }, 250);
    });
  }
}

/** The mode's work, recorded in `report`; each mode module is loaded only when used (start-up time). */
export async function execute(inputs: Inputs, runner: RunnerContext, report: RunReport = emptyReport(inputs.mode, inputs.region)): Promise<RunReport> {
  switch (inputs.mode) {
    case 'publish':
      await (await import('./publish.js')).publishImage(inputs, runner, report);
      break;
    case 'verify':
      await (await import('./verify.js')).verify(inputs, runner, report);
      break;
    case 'reconcile':
      await (await import('./reconcile.js')).reconcile(inputs, runner, report);
      break;
  }
  return report;
}

export { hasDrift };

/** Drift fails the job, after the report (and, in publish, after the push: say so). */
function failOnDrift(report: RunReport): void {
  if (!hasDrift(report)) return;
  const pushed = report.image ? `The image is pushed (${report.image.imageUri}), but ` : '';
  const count = renderFindings(report).filter((finding) => finding.severity === 'error').length;
  const what = report.missing.length > 0 ? `staging cannot pull ${report.missing.join(', ')}` : `the allowlist names repositories the manifest does not expect (${report.extra.join(', ')})`;
  throw new UserError(`${pushed}${what}: cross-account pull drift. The ${count} finding(s) above say what to add and where.`);
}

/** The action's main step. */
export async function run(): Promise<void> {
  removeCredentialsOnSignal();
  try {
    assertNodeVersion();
    const inputs = readInputs((name) => core.getInput(name));
    const runner = readRunnerContext();
    const report = emptyReport(inputs.mode, inputs.region);
    try {
      await execute(inputs, runner, report);
    } catch (error) {
      // What was read and written so far still goes to the report, so a change can be undone by hand.
      if (report.repositories.length > 0 || report.policyChanges.length > 0 || report.image) await emitReport(report, runner.tempDir).catch(() => undefined);
      throw error;
    }
    await emitReport(report, runner.tempDir);
    failOnDrift(report);
  } catch (error) {
    if (error instanceof UserError) core.setFailed(error.message);
    else core.setFailed(`publish-image: unexpected error (please report it): ${errorMessage(error)}`);
  }
}
