import { roleNameOf } from '../domain/arn.js';
import type { RoleProblem } from '../domain/checks/model.js';
import { roleProblemText } from './findings.js';

/** reconcile's own sentences (its plan is in plan-text.ts). */
export const reconcileText = {
  /** A puller whose role does not exist: named by the input that gave it. */
  roleNotFound: (pullers: { name: string; roleArn: string }[], puller: { name: string; roleArn: string }, problem: RoleProblem) => {
    const input = pullers.length > 1 || puller.name !== roleNameOf(puller.roleArn) ? `pullers (${puller.name})` : 'staging-role-arn';
    return `${input}: ${roleProblemText(problem)} Reconcile does not create roles.`;
  },
  applyStep: () => 'Apply',
};
