import { UserError } from '../errors.js';
import { log } from '../log.js';
import { emptyReport, type RunReport } from '../report/model.js';
import { verifyText as say } from '../report/verify-text.js';
import { overlayProposed, withUnknowns } from '../services/proposed.js';
import { proposedUnknowns, readProposed, withProposedTags } from '../services/proposed-input.js';
import { crossCheckWithSimulator } from '../services/repositories.js';
import { judgeFacts, survey } from '../services/survey.js';
import type { VerifySettings } from '../settings/settings.js';
import { finish } from './result.js';

/**
 * verify: both sides of the cross-account pull for one repository or the whole manifest; no writes.
 * With `proposed`, the same facts are judged again with the change laid over them: the gate then
 * judges the state after apply, and the report keeps the live verdict of each cell beside it.
 */
export async function verify(settings: VerifySettings): Promise<RunReport> {
  const report = emptyReport('verify', settings.registry.region);
  // The proposed file is read (and refused, when it is not one) before anything is asked of AWS.
  const proposed = readProposed(settings.proposed);
  const surveyed = await survey(settings);
  const warnings = settings.simulate
    ? (await Promise.all(surveyed.pullers.map((puller) => crossCheckWithSimulator(puller.placed.access.iam, puller.placed, puller.verdicts)))).flat()
    : [];
  if (!proposed || !settings.proposed) return finish(report, settings, surveyed, { warnings });

  const layer = settings.proposed.layer;
  if (layer?.layer === 'repository' && !surveyed.states.has(layer.repository)) {
    throw new UserError(say.layerNotJudged(layer.repository, surveyed.states.size));
  }
  // A lone allowlist document is the named puller's, whatever other role shares its name.
  const overlay = overlayProposed(surveyed.facts, proposed, layer?.layer === 'allowlist' ? { roleArn: layer.roleArn } : {});
  const judged = judgeFacts(settings, await withProposedTags(surveyed, overlay.facts));
  const verdicts = withUnknowns(
    judged.pullers.flatMap((puller) => puller.verdicts),
    overlay.unknowns,
  );
  const unknowns = proposedUnknowns(proposed);
  log.info(say.judgedProposed(settings.proposed.path, proposed.replacements.length, unknowns.length));
  const live = surveyed.pullers.flatMap((puller) => puller.verdicts);
  return finish({ ...report, proposed: { file: settings.proposed.path, live, unknowns } }, settings, { ...surveyed, ...judged }, { warnings, verdicts });
}
