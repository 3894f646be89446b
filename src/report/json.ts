import { planHasChanges } from '../domain/plan.js';
import { safeJson } from '../util/inert.js';
import { warningText } from './findings.js';
import type { PolicyTarget, RunReport } from './model.js';
import { formatPlan } from './plan-text.js';
import { renderFindings } from './render.js';

/** How the JSON report names a policy: `repository:<name>` or `role:<role>/<policy>` (its public shape). */
export function targetName(target: PolicyTarget): string {
  return target.kind === 'repository' ? `repository:${target.repository}` : `role:${target.roleName}/${target.policyName}`;
}

/** The plan as the log, the summary and the terminal show it. */
export function planLines(report: RunReport): string[] | undefined {
  return report.plan && formatPlan(report.plan.plan, report.plan.policyName, report.plan.roleName).split('\n');
}

/**
 * The JSON report (the file, and the CLI's --json): the typed result with its words beside it
 * (warnings, plan text, findings), escaped for JSON so no stored text reaches a terminal raw.
 */
export function reportJson(report: RunReport): string {
  const { plan, ...rest } = report;
  const document = {
    ...rest,
    warnings: report.warnings.map(warningText),
    policyChanges: report.policyChanges.map((change) => ({ ...change, target: targetName(change.target) })),
    ...(plan ? { plan: { changes: planHasChanges(plan.plan), text: planLines(report) } } : {}),
    findings: renderFindings(report),
  };
  return safeJson(document, 2);
}
