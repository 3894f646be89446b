import { overlayProposed as overlay, withUnknowns, type ProposedUnknowns } from '../domain/proposed/overlay.js';
import type { ProposedState } from '../domain/proposed.js';
import type { SurveyFacts } from './survey.js';

/**
 * A proposed state laid over what the run read (docs/iac.md), judged in domain/proposed/overlay.ts:
 * here only the survey's own facts (the image layer's) are carried over unchanged.
 */
export type { ProposedUnknowns };
export { withUnknowns };

/** The facts as they would be once the proposed state is applied, and what stays unknown until then. */
export function overlayProposed(
  facts: SurveyFacts,
  state: ProposedState,
  options: { roleArn?: string } = {},
): { facts: SurveyFacts; unknowns: ProposedUnknowns } {
  const overlaid = overlay(facts, state, options);
  return { facts: { ...facts, ...overlaid.facts }, unknowns: overlaid.unknowns };
}
