import { UserError } from '../errors.js';
import type { RepositoryVerdict } from '../domain/checks/model.js';
import type { RunReport, Warning } from '../report/model.js';
import type { Staging } from '../services/puller.js';
import type { Survey } from '../services/survey.js';
import type { OnExtra } from '../settings/inputs.js';
import type { GrantSettings } from '../settings/settings.js';

/** What a reading mode adds to its report once it has judged: verdicts, extras, what was not checked, the fixes' settings. */
export function finish(
  report: RunReport,
  settings: { grant: GrantSettings; puller?: { policyName: string | undefined }; onExtra?: OnExtra },
  surveyed: Pick<Survey, 'registryId' | 'staging' | 'verdicts' | 'warnings' | 'notChecked' | 'extra' | 'manifestMode'>,
  more: { warnings?: Warning[]; verdicts?: RepositoryVerdict[] } = {},
): RunReport {
  const verdicts = more.verdicts ?? surveyed.verdicts;
  return withPuller(
    {
      ...report,
      registryId: surveyed.registryId,
      repositories: [...report.repositories, ...verdicts],
      warnings: [...report.warnings, ...surveyed.warnings, ...(more.warnings ?? [])],
      notChecked: [...report.notChecked, ...surveyed.notChecked],
      ...(surveyed.manifestMode ? { extra: surveyed.extra, onExtra: settings.onExtra } : {}),
    },
    surveyed.staging,
    settings,
  );
}

/** The role's verdict and the names the fixes are phrased with; `missing` from the verdicts. */
export function withPuller(
  report: RunReport,
  staging: Staging | undefined,
  settings: { grant: GrantSettings; puller?: { policyName: string | undefined } },
): RunReport {
  const missing = [...new Set(report.repositories.filter((verdict) => verdict.drift).map((verdict) => verdict.repository))].sort();
  if (!staging) return { ...report, missing };
  return {
    ...report,
    missing,
    role: staging.role,
    settings: { roleArn: staging.roleArn, policyName: settings.puller?.policyName, policySid: settings.grant.sid, pullActions: settings.grant.actions },
  };
}

/**
 * A failure that still carries what the run read and wrote: the entry point writes the report (so a
 * change can be undone by hand) before it fails the step.
 */
export class FailedRun extends UserError {
  constructor(
    error: UserError,
    readonly report: RunReport,
  ) {
    super(error.message);
  }
}
