import type { Inputs } from '../action/inputs.js';
import type { RunnerContext } from '../action/runner-context.js';
import { UserError } from '../errors.js';
import { emptyReport, type RunReport } from '../report/model.js';

const MINIMUM_NODE_MAJOR = 20;

export function assertNodeVersion(): void {
  const major = Number.parseInt(process.versions.node.split('.')[0], 10);
  if (major < MINIMUM_NODE_MAJOR) {
    throw new UserError(
      `node: this action needs Node ${MINIMUM_NODE_MAJOR} or newer, and the runner has ${process.versions.node}. Put a newer node first on the runner's PATH.`,
    );
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
