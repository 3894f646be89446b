import { readProposedFile } from '../adapters/proposed-file.js';
import { unknownsOf } from '../domain/proposed.js';
import { UserError } from '../errors.js';
import { log } from '../log.js';
import { emptyReport, type RunReport } from '../report/model.js';
import { overlayProposed, withUnknowns } from '../services/proposed.js';
import { pullerAt } from '../services/puller.js';
import { crossCheckWithSimulator, readTagsWhereAsked } from '../services/repositories.js';
import { judgeFacts, survey, type Survey, type SurveyFacts } from '../services/survey.js';
import type { VerifySettings } from '../settings/settings.js';
import { finish } from './result.js';

/**
 * A proposed policy may ask for repository tags the live ones did not: read those too (the run can
 * read them, so they are known, not "only the pull knows"), each once.
 */
async function withProposedTags(surveyed: Survey, facts: SurveyFacts): Promise<SurveyFacts> {
  const placedPullers = facts.pullerFacts.map((puller) => pullerAt(puller, facts.home));
  const unread = [...facts.states.values()].flatMap((state) => (state && !facts.tags.has(state.arn) ? [{ arn: state.arn, policy: state.policy }] : []));
  if (unread.length === 0) return facts;
  const read = await readTagsWhereAsked(surveyed.readers.ecr, placedPullers, unread);
  return { ...facts, tags: new Map([...facts.tags, ...read.tags]), notChecked: [...facts.notChecked, ...read.notChecked] };
}

/**
 * verify: both sides of the cross-account pull for one repository or the whole manifest; no writes.
 * With `proposed`, the same facts are judged again with the change laid over them: the gate then
 * judges the state after apply, and the report keeps the live verdict of each cell beside it.
 */
export async function verify(settings: VerifySettings): Promise<RunReport> {
  const report = emptyReport('verify', settings.registry.region);
  // The proposed file is read (and refused, when it is not one) before anything is asked of AWS.
  const proposed = settings.proposed && readProposedFile(settings.proposed.path, settings.proposed.layer);
  const surveyed = await survey(settings);
  const warnings = settings.simulate
    ? (await Promise.all(surveyed.pullers.map((puller) => crossCheckWithSimulator(puller.placed.access.iam, puller.placed, puller.verdicts)))).flat()
    : [];
  if (!proposed || !settings.proposed) return finish(report, settings, surveyed, { warnings });

  const layer = settings.proposed.layer;
  if (layer?.layer === 'repository' && !surveyed.states.has(layer.repository)) {
    throw new UserError(
      `proposed-layer: repository ${layer.repository} is not one this run judges (${surveyed.states.size} expected), so the document would change nothing. Name an expected repository.`,
    );
  }
  // A lone allowlist document is the named puller's, whatever other role shares its name.
  const overlay = overlayProposed(surveyed.facts, proposed, layer?.layer === 'allowlist' ? { roleArn: layer.roleArn } : {});
  const judged = judgeFacts(settings, await withProposedTags(surveyed, overlay.facts));
  const verdicts = withUnknowns(
    judged.pullers.flatMap((puller) => puller.verdicts),
    overlay.unknowns,
  );
  const unknowns = unknownsOf(proposed);
  log.info(
    `Judged the proposed state of ${settings.proposed.path}: ${proposed.replacements.length} change(s)${unknowns.length > 0 ? `, ${unknowns.length} value(s) known only after apply` : ''}.`,
  );
  const live = surveyed.pullers.flatMap((puller) => puller.verdicts);
  return finish({ ...report, proposed: { file: settings.proposed.path, live, unknowns } }, settings, { ...surveyed, ...judged }, { warnings, verdicts });
}
