import { inert } from '../util/inert.js';
import { hasDrift, type RunReport } from './model.js';
import { renderFindings } from './render.js';

/** What an entry point says before any mode runs. */
export const runText = {
  nodeTooOld: (minimum: number, found: string) =>
    `node: this action needs Node ${minimum} or newer, and the runner has ${found}. Put a newer node first on the runner's PATH.`,
};

/** Why a run with drift fails the job (after the report; in publish, after the push: said first). Undefined: no drift. */
export function driftFailureText(report: RunReport): string | undefined {
  if (!hasDrift(report)) return undefined;
  const pushed = report.image ? `The image is pushed (${report.image.imageUri}), but ` : '';
  const count = renderFindings(report).filter((finding) => finding.severity === 'error').length;
  const what =
    report.missing.length > 0
      ? `${report.pullers.length > 1 ? 'a puller' : 'staging'} cannot pull ${report.missing.map((name) => inert(name, 256)).join(', ')}`
      : `the allowlist names repositories the manifest does not expect (${report.extra.map((name) => inert(name, 256)).join(', ')})`;
  return `${pushed}${what}: cross-account pull drift. The ${count} finding(s) above say what to add and where.`;
}
