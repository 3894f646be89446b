import type { OnExtra, Mode } from '../action/inputs.js';
import type { NotChecked, RepositoryVerdict, RoleVerdict } from '../domain/checks/model.js';
import type { FixSettings } from './findings.js';

/** The run's result as typed data: what every renderer (log, summary, annotations, CLI, JSON) reads. */
/** A change this run made (or would make) to a policy, with both documents so it can be undone by hand. */
export interface PolicyChange {
  target: string;
  before: unknown;
  after: unknown;
  written: boolean;
  /** A later write of the same run failed and this one was put back as it was. */
  rolledBack?: boolean;
}

export interface RunReport {
  mode: Mode;
  registryId?: string;
  region: string;
  /** What the fixes are made of (the role, the allowlist policy, our Sid, the pull actions). */
  settings?: FixSettings;
  /** One verdict per expected repository. */
  repositories: RepositoryVerdict[];
  /** The pulling role itself: whether it was found, and whether it may log in. */
  role?: RoleVerdict;
  /** Expected repositories that staging cannot pull (any side, or the login). */
  missing: string[];
  /** Repositories the allowlist names that nothing expects (manifest runs), and what on-extra says of them. */
  extra: string[];
  onExtra?: OnExtra;
  /** What the verdict could not take into account (said once). */
  notChecked: NotChecked[];
  warnings: string[];
  policyChanges: PolicyChange[];
  /** publish: what was pushed. `registry` is the registry host (as amazon-ecr-login's output); `imageId` and `metadata` as build-push-action's. */
  image?: { digest: string; imageUri: string; tags: string[]; repositoryArn: string; registry?: string; imageId?: string; metadata?: string };
  /** reconcile: the plan, and whether it changes anything. */
  plan?: { changes: boolean; text: string[] };
}

export function emptyReport(mode: Mode, region: string): RunReport {
  return { mode, region, repositories: [], missing: [], extra: [], notChecked: [], warnings: [], policyChanges: [] };
}

/** Drift fails the job: a repository staging cannot pull, or (on-extra: fail) an extra. */
export function hasDrift(report: RunReport): boolean {
  return report.missing.length > 0 || report.repositories.some((verdict) => verdict.drift) || (report.onExtra === 'fail' && report.extra.length > 0);
}
