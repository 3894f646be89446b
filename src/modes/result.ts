import { UserError } from '../errors.js';
import { pullerNeeds } from '../settings/pullers.js';
import type { PullerReport, RunReport, Warning } from '../report/model.js';
import type { PullerAtPlace } from '../services/puller.js';
import { targetRepositories } from '../services/readers.js';
import type { Survey } from '../services/survey.js';
import type { OnExtra } from '../settings/inputs.js';
import type { GrantSettings, Settings } from '../settings/settings.js';

/** What a reading mode adds to its report once it has judged: verdicts, extras, what was not checked, the fixes' settings. */
export function finish(
  report: RunReport,
  settings: { grant: GrantSettings; onExtra?: OnExtra },
  surveyed: Pick<Survey, 'registryId' | 'pullers' | 'warnings' | 'notChecked' | 'manifestMode'>,
  more: { warnings?: Warning[]; verdicts?: RunReport['repositories'] } = {},
): RunReport {
  const verdicts = more.verdicts ?? surveyed.pullers.flatMap((puller) => puller.verdicts);
  const extras = surveyed.manifestMode ? surveyed.pullers.map((puller) => puller.extra) : surveyed.pullers.map(() => []);
  return withPullers(
    {
      ...report,
      registryId: surveyed.registryId,
      repositories: [...report.repositories, ...verdicts],
      warnings: [...report.warnings, ...surveyed.warnings, ...(more.warnings ?? [])],
      notChecked: [...report.notChecked, ...surveyed.notChecked],
      ...(surveyed.manifestMode ? { onExtra: settings.onExtra } : {}),
    },
    surveyed.pullers.map((puller, index) => ({ placed: puller.placed, extra: extras[index], logins: puller.logins })),
    settings,
  );
}

/** Each puller's verdict and the names its fixes are phrased with; `missing` and `extra` from them. */
export function withPullers(
  report: RunReport,
  pullers: { placed: PullerAtPlace; extra: string[]; logins?: PullerReport['logins'] }[],
  settings: { grant: GrantSettings },
): RunReport {
  const missing = [...new Set(report.repositories.filter((verdict) => verdict.drift).map((verdict) => verdict.repository))].sort();
  const reports: PullerReport[] = pullers.map(({ placed, extra, logins }) => ({
    name: placed.name,
    // The role's login where it pulls: the registry's region, or (pulling only elsewhere) the first region it pulls in.
    role: { ...placed.role, login: (logins ?? []).find((login) => login.region === report.region)?.login ?? logins?.[0]?.login ?? placed.role.login },
    logins: logins ?? [{ region: report.region, login: placed.role.login }],
    settings: { roleArn: placed.roleArn, policyName: placed.policyName, policySid: settings.grant.sid, pullActions: settings.grant.actions },
    extra,
  }));
  const extra = [...new Set(reports.flatMap((puller) => puller.extra))].sort();
  return { ...report, missing, pullers: reports, extra };
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

/**
 * The repositories a run must prove pullable: every target some puller must pull (publish: its
 * repository, when a puller must pull it in the registry's region; without one, publish judges no
 * cell). A failed run proves none of them. Undefined: not known (the manifest cannot be read).
 */
export function expectedOf(settings: Settings): string[] | undefined {
  const needed = (repositories: string[], regions: (region: string) => boolean): string[] =>
    repositories.filter((repository) => settings.pullers.some((puller) => puller.regions.some(regions) && pullerNeeds(puller, repository)));
  // push: false judges nothing (no image, no verdict).
  if (settings.mode === 'publish') return settings.build.push ? needed([settings.repository], (region) => region === settings.registry.region) : [];
  const targets = settings.targets;
  if (targets.kind === 'repository') return needed([targets.repository], () => true);
  try {
    return needed(targetRepositories(targets).repositories, () => true);
  } catch {
    return undefined;
  }
}
