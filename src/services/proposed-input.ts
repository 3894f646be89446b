import { readProposedFile } from '../adapters/proposed-file.js';
import { unknownsOf, type ProposedLayer, type ProposedState } from '../domain/proposed.js';
import { pullerAt } from './puller.js';
import { readTagsWhereAsked } from './repositories.js';
import type { Survey, SurveyFacts } from './survey.js';

/** verify's `proposed` file, read (and refused when it is not one) before anything is asked of AWS. */
export function readProposed(proposed: { path: string; layer: ProposedLayer | undefined } | undefined): ProposedState | undefined {
  return proposed && readProposedFile(proposed.path, proposed.layer);
}

/** The values the proposed state knows only after apply. */
export function proposedUnknowns(proposed: ProposedState): string[] {
  return unknownsOf(proposed);
}

/**
 * A proposed policy may ask for repository tags the live ones did not: read those too (the run can
 * read them, so they are known, not "only the pull knows"), each once.
 */
export async function withProposedTags(surveyed: Survey, facts: SurveyFacts): Promise<SurveyFacts> {
  const placedPullers = facts.pullerFacts.map((puller) => pullerAt(puller, facts.home));
  const unread = [...facts.states.values()].flatMap((state) => (state && !facts.tags.has(state.arn) ? [{ arn: state.arn, policy: state.policy }] : []));
  if (unread.length === 0) return facts;
  const read = await readTagsWhereAsked(surveyed.readers.ecr, placedPullers, unread);
  return { ...facts, tags: new Map([...facts.tags, ...read.tags]), notChecked: [...facts.notChecked, ...read.notChecked] };
}
