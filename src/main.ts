import * as core from '@actions/core';
import { errorMessage, UserError } from './errors.js';
import { readInputs, type Inputs } from './inputs.js';
import { publishImage } from './publish.js';
import { verifyRepository } from './verify.js';
import { emitReport, emptyReport, type RunReport } from './report/report.js';
import { readRunnerContext } from './runner-context.js';
import { removeDockerConfigDir } from './state.js';

const MINIMUM_NODE_MAJOR = 20;

function assertNodeVersion(): void {
  const major = Number.parseInt(process.versions.node.split('.')[0], 10);
  if (major < MINIMUM_NODE_MAJOR) {
    throw new UserError(`node: this action needs Node ${MINIMUM_NODE_MAJOR} or newer, and the runner has ${process.versions.node}. Put a newer node first on the runner's PATH.`);
  }
}

/** Cancellation (SIGTERM/SIGINT from the runner) must not leave registry credentials behind. */
function removeCredentialsOnSignal(): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      removeDockerConfigDir();
      process.exit(1);
    });
  }
}

async function runMode(inputs: Inputs, report: RunReport): Promise<void> {
  const runner = readRunnerContext();
  switch (inputs.mode) {
    case 'publish':
      await publishImage(inputs, runner, report);
      break;
    case 'verify':
      if (!inputs.repository) throw new UserError('manifest: verifying a whole manifest is not yet supported in this version. Give `repository:` to verify one repository.');
      await verifyRepository(inputs, runner, report);
      break;
    case 'reconcile':
      throw new UserError('mode: "reconcile" is not yet supported in this version. Use verify, or fix the drift by hand with the printed fixes.');
  }
  await emitReport(report, runner.tempDir);
  failOnDrift(report);
}

/** Drift fails the job, after the report (and, in publish, after the push: say so). */
function failOnDrift(report: RunReport): void {
  const drifted = report.rows.filter((row) => row.verdict === 'drift');
  if (drifted.length === 0) return;
  const pushed = report.image ? `The image is pushed (${report.image.imageUri}), but ` : '';
  const names = drifted.map((row) => row.repository).join(', ');
  const count = drifted.reduce((sum, row) => sum + row.findings.length, 0);
  throw new UserError(`${pushed}staging cannot pull ${names}: cross-account pull drift. The ${count} finding(s) above say what to add and where.`);
}

export async function run(): Promise<void> {
  removeCredentialsOnSignal();
  try {
    assertNodeVersion();
    const inputs = readInputs((name) => core.getInput(name));
    const report = emptyReport(inputs.mode, inputs.region);
    await runMode(inputs, report);
  } catch (error) {
    if (error instanceof UserError) core.setFailed(error.message);
    else core.setFailed(`publish-image: unexpected error (please report it): ${errorMessage(error)}`);
  }
}
