import * as core from '@actions/core';
import { errorMessage, UserError } from '../errors.js';
import { readSettings } from '../settings/settings.js';
import type { RunReport } from '../report/model.js';
import { driftFailureText } from '../report/run-text.js';
import { emitReport, failedRunOutputs } from './outputs.js';
import { readRunContext } from '../settings/run-context.js';
import { actionLogger } from './logger.js';
import { setLogger } from '../log.js';
import { assertNodeVersion, runMode } from '../modes/run.js';
import { expectedOf, FailedRun } from '../modes/result.js';
import { dockerConfigDir, removeDockerConfigDir, saveDockerConfigDir } from './state.js';
import { killProcessesOfOurs } from './processes.js';
import { cancelWaits } from '../util/retry.js';
import { inert, safeText } from '../util/inert.js';

/**
 * Cancellation (SIGTERM/SIGINT from the runner) must not leave registry credentials behind, and
 * must end the step promptly: waits (propagation backoff) end at once, the private DOCKER_CONFIG
 * goes, and the process exits 250 ms later whatever is still pending (an AWS call, a docker child).
 */
function removeCredentialsOnSignal(): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      cancelWaits();
      // The docker client we started (and its CLI plugins, and what they start) would outlive us and
      // could write into the folder after it is gone (BuildKit's .buildNodeID recreates it): end them
      // first, as the runner ends the job, then remove the folder.
      const dir = dockerConfigDir();
      killProcessesOfOurs(dir);
      removeDockerConfigDir(dir);
      // Once more before exiting: a process that slipped past the sweeps (forked while we looked) is
      // found by its DOCKER_CONFIG. post: removes the folder again.
      setTimeout(() => {
        killProcessesOfOurs(dir);
        removeDockerConfigDir(dir);
        process.exit(1);
      }, 250);
    });
  }
}

/** Drift fails the job, after the report (report/ says why). */
function failOnDrift(report: RunReport): void {
  const text = driftFailureText(report);
  if (text) throw new UserError(text);
}

/** The action's main step. */
export async function run(): Promise<void> {
  setLogger(actionLogger);
  removeCredentialsOnSignal();
  try {
    assertNodeVersion();
    const run = readRunContext();
    let settings: ReturnType<typeof readSettings>;
    try {
      settings = readSettings((name) => core.getInput(name), run);
    } catch (error) {
      // A run stopped by its inputs proved nothing: never "in sync" (which repositories it had to prove is unknown).
      failedRunOutputs([]);
      throw error;
    }
    let report: RunReport;
    try {
      report = await runMode(settings, { dockerConfig: { save: saveDockerConfigDir, remove: () => void removeDockerConfigDir() } });
    } catch (error) {
      // A failed run proved nothing pullable: drift is true, and missing names what it had to prove.
      const failed = { unproven: expectedOf(settings) };
      // What was read and written so far still goes to the report, so a change can be undone by hand.
      if (error instanceof FailedRun) await emitReport(error.report, run.tempDir, failed).catch(() => failedRunOutputs(failed.unproven));
      else failedRunOutputs(failed.unproven);
      throw error;
    }
    await emitReport(report, run.tempDir);
    failOnDrift(report);
  } catch (error) {
    // The annotation is a sink like the log: escaped (and an unexpected error's text cut) before it is printed.
    if (error instanceof UserError) core.setFailed(safeText(error.message));
    else core.setFailed(safeText(`publish-image: unexpected error (please report it): ${inert(errorMessage(error), 1000)}`));
  }
}
