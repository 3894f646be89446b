import { accountOf, regionOf } from '../domain/arn.js';
import type { RepositoryVerdict } from '../domain/checks/model.js';
import { planHasChanges } from '../domain/plan.js';
import { safeJson } from '../util/inert.js';
import { warningText } from './findings.js';
import type { PolicyTarget, RunReport } from './model.js';
import { formatPlan } from './plan-text.js';
import { renderFindings } from './render.js';
import { documentsJson, documentsTerraform } from './terraform.js';

/** How the JSON report names a policy: `repository:<name>` (a replica: `…@<registry>/<region>`) or `role:<role>/<policy>` (its public shape). */
export function targetName(target: PolicyTarget): string {
  if (target.kind === 'inline-policy') return `role:${target.roleName}/${target.policyName}`;
  return target.replica ? `repository:${target.repository}@${target.replica.registryId}/${target.replica.region}` : `repository:${target.repository}`;
}

/** The plans as the log, the summary and the terminal show them: one per puller. */
export function planLines(report: RunReport): string[] | undefined {
  if (report.plans.length === 0) return undefined;
  return report.plans.flatMap((named, index) => [
    ...(index > 0 ? [''] : []),
    ...(report.plans.length > 1 ? [`# ${named.puller}`] : []),
    ...formatPlan(named.plan, named.policyName, named.roleName).split('\n'),
  ]);
}

/** A cell's image in the matrix (issue 26): its state (or `conditional` with the permissions), the digest judged and which, the warnings. */
function imageJson(verdict: RepositoryVerdict): object | undefined {
  const image = verdict.image;
  if (!image) return undefined;
  return {
    state: image.status === 'conditional' ? 'conditional' : image.state,
    ...(image.digest ? { digest: image.digest } : {}),
    ...(verdict.imageChecked ? { checked: verdict.imageChecked.chosen, ...(verdict.imageChecked.tag ? { tag: verdict.imageChecked.tag } : {}) } : {}),
    ...(image.status === 'judged' && image.detail ? { detail: image.detail } : {}),
    ...(image.status === 'judged' && image.available ? { available: image.available } : {}),
    ...(image.status === 'conditional' ? { unread: image.unread.map((unread) => unread.permission) } : {}),
    warnings: image.warnings.map((warning) => ({ kind: warning.kind, action: warning.action, rulePriority: warning.rulePriority })),
  };
}

/** One entry per (puller, region, repository): the `matrix` output and the report's `matrix`. */
function matrixOf(report: RunReport): object[] {
  const live = new Map((report.proposed?.live ?? []).map((verdict) => [`${verdict.puller ?? ''}\u0000${verdict.arn}`, verdict.drift ? 'drift' : 'ok']));
  return report.repositories
    .filter((verdict) => verdict.puller !== undefined)
    .map((verdict) => ({
      puller: verdict.puller,
      region: regionOf(verdict.arn),
      registryId: accountOf(verdict.arn),
      repository: verdict.repository,
      grant:
        verdict.replica?.kind === 'not-replicated' || verdict.replica?.kind === 'not-checked'
          ? verdict.replica.kind
          : verdict.exists
            ? verdict.grant?.coveredBy
              ? 'not-needed'
              : (verdict.grant?.status ?? 'not-checked')
            : 'no repository',
      ...(verdict.replica?.kind === 'replica'
        ? {
            replica: {
              created: verdict.replica.created,
              template: verdict.replica.template,
              ...(verdict.replica.replication ? { replication: verdict.replica.replication.status } : {}),
            },
          }
        : {}),
      identity: verdict.identity?.coveredBy ? 'via-grant' : (verdict.identity?.status ?? 'not-checked'),
      ...(verdict.image ? { image: imageJson(verdict) } : {}),
      verdict: verdict.drift ? 'drift' : 'ok',
      ...(report.proposed ? { now: live.get(`${verdict.puller ?? ''}\u0000${verdict.arn}`) ?? 'not judged' } : {}),
    }));
}

/** The `matrix` output: compact JSON, every control and bidi character escaped. */
export function matrixJson(report: RunReport): string {
  return safeJson(matrixOf(report));
}

/**
 * The JSON report (the file, and the CLI's --json): the typed result with its words beside it
 * (warnings, plan text, findings), escaped for JSON so no stored text reaches a terminal raw.
 */
export function reportJson(report: RunReport): string {
  const { plans, pullers, documents, proposed, ...rest } = report;
  // One puller: `role` and `settings` as before several were possible (the report's public shape).
  const single = pullers.length === 1 ? { role: pullers[0].role, settings: pullers[0].settings } : {};
  const document = {
    ...rest,
    ...single,
    pullers,
    matrix: matrixOf(report),
    ...(proposed ? { proposed: { file: proposed.file, unknowns: proposed.unknowns, live: proposed.live } } : {}),
    warnings: report.warnings.map(warningText),
    policyChanges: report.policyChanges.map((change) => ({ ...change, target: targetName(change.target) })),
    ...(plans.length > 0 ? { plan: { changes: plans.some((named) => planHasChanges(named.plan)), text: planLines(report) } } : {}),
    findings: renderFindings(report),
    // What `plan --format json|terraform` prints, for a dispatch workflow that commits it.
    ...(documents ? { documents: JSON.parse(documentsJson(documents)) as unknown, terraform: documentsTerraform(documents) } : {}),
  };
  return safeJson(document, 2);
}
