import type { Mode, OnExtra, PolicyChange, Warning } from '../domain/results.js';
import type { Check, NotChecked, RepositoryVerdict, RoleVerdict } from '../domain/checks/model.js';
import type { ReconcilePlan } from '../domain/plan.js';
import type { FixSettings } from './findings.js';
import type { DocumentsToWrite } from './terraform.js';

/**
 * The run's result as typed data: what every renderer (log, summary, annotations, CLI, JSON) reads.
 * Nothing here is a sentence: report/ alone turns it into words for each sink.
 */

// What a run says beside the verdicts lives in domain/ (services return it); said here for the renderers.
export type { Mode, OnExtra, PolicyChange, PolicyTarget, Warning } from '../domain/results.js';

/** One pulling role as the run judged it, and what its fixes are made of. */
export interface PullerReport {
  name: string;
  /** The role itself: whether it was found, and whether it may log in. */
  role: RoleVerdict;
  /** What the fixes are made of (the role, the allowlist policy, our Sid, the pull actions). */
  settings: FixSettings;
  /** Repositories its allowlist names that nothing expects of it (manifest runs). */
  extra: string[];
  /** Its login (ecr:GetAuthorizationToken) in each region it pulls in; undefined: nothing there to judge it with. */
  logins: { region: string; login: Check | undefined }[];
}

export interface RunReport {
  mode: Mode;
  registryId?: string;
  region: string;
  /** One verdict per (puller, region, expected repository); the puller's name is on each. */
  repositories: RepositoryVerdict[];
  /** Every puller judged, in the order given. */
  pullers: PullerReport[];
  /** Expected repositories that some puller cannot pull (any side, or the login). */
  missing: string[];
  /** Repositories an allowlist names that nothing expects of its puller (manifest runs), and what on-extra says of them. */
  extra: string[];
  onExtra?: OnExtra;
  /** What the verdict could not take into account (said once). */
  notChecked: NotChecked[];
  warnings: Warning[];
  policyChanges: PolicyChange[];
  /** publish: what was pushed. `registry` is the registry host (as amazon-ecr-login's output); `imageId` and `metadata` as build-push-action's. */
  image?: { digest: string; imageUri: string; tags: string[]; repositoryArn: string; registry?: string; imageId?: string; metadata?: string };
  /** reconcile: each puller's plan, and the names it is phrased with. */
  plans: NamedPlan[];
  /** verify with `proposed`: `repositories` are judged after the change; these are the same cells as AWS holds them now. */
  proposed?: { file: string; live: RepositoryVerdict[]; unknowns: string[] };
  /** reconcile: the documents it owns, as they are once the plan is applied (for IaC: `plan --format`). */
  documents?: DocumentsToWrite;
}

export interface NamedPlan {
  plan: ReconcilePlan;
  policyName: string;
  roleName: string;
  puller: string;
}

export function emptyReport(mode: Mode, region: string): RunReport {
  return { mode, region, repositories: [], pullers: [], missing: [], extra: [], notChecked: [], warnings: [], policyChanges: [], plans: [] };
}

/** Drift fails the job: a repository staging cannot pull, or (on-extra: fail) an extra. */
export function hasDrift(report: RunReport): boolean {
  return report.missing.length > 0 || report.repositories.some((verdict) => verdict.drift) || (report.onExtra === 'fail' && report.extra.length > 0);
}
