import { emptyReport, type RunReport } from '../report/model.js';
import { crossCheckWithSimulator } from '../services/repositories.js';
import { survey } from '../services/survey.js';
import type { VerifySettings } from '../settings/settings.js';
import { finish } from './result.js';

/** verify: both sides of the cross-account pull for one repository or the whole manifest; no writes. */
export async function verify(settings: VerifySettings): Promise<RunReport> {
  const report = emptyReport('verify', settings.registry.region);
  const surveyed = await survey(settings);
  const warnings = settings.simulate
    ? (await Promise.all(surveyed.pullers.map((puller) => crossCheckWithSimulator(puller.staging.access.iam, puller.staging, puller.verdicts)))).flat()
    : [];
  return finish(report, settings, surveyed, { warnings });
}
