import * as core from '@actions/core';
import { errorMessage, UserError } from './errors.js';
import { readInputs, type Inputs } from './inputs.js';
import { publishImage } from './publish.js';
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
      if (inputs.pullPrincipals.length > 0 || inputs.stagingRoleArn) {
        throw new UserError('pull-principals / staging-role-arn: the cross-account grant and staging verification are not yet supported in this version. Remove them to publish only.');
      }
      await publishImage(inputs, runner, report);
      break;
    case 'verify':
    case 'reconcile':
      throw new UserError(`mode: "${inputs.mode}" is not yet supported in this version. Use mode: publish.`);
  }
  await emitReport(report, runner.tempDir);
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
