import { SimulatePrincipalPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { CheckStatus } from '../../domain/checks/model.js';
import { inert } from '../../util/inert.js';

/**
 * Optional cross-check of the identity side with IAM's own simulator, which also sees permission
 * boundaries and SCPs. It cannot judge the repository policy for a role caller, and SCP conditions
 * can make it deny falsely, so a disagreement is a warning; the local evaluator stays the gate.
 */
export async function simulateIdentity(
  iam: IAMClient,
  roleArn: string,
  repositoryArn: string,
  pullActions: string[],
  localStatus: CheckStatus,
): Promise<string | undefined> {
  let decisions: { action: string; decision: string }[];
  try {
    const response = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: pullActions, ResourceArns: [repositoryArn] }));
    decisions = (response.EvaluationResults ?? []).map((result) => ({ action: result.EvalActionName ?? '?', decision: result.EvalDecision ?? '?' }));
  } catch (error) {
    const code = inert((error as Error).name, 80);
    return `simulate: could not cross-check ${repositoryArn} with iam:SimulatePrincipalPolicy (${code}: ${inert((error as Error).message?.split('\n')[0] ?? '', 300)}). Allow iam:SimulatePrincipalPolicy on ${roleArn}, or turn simulate off; the local verdict stands.`;
  }
  const simulatorAllows = decisions.length === pullActions.length && decisions.every((entry) => entry.decision === 'allowed');
  const localAllows = localStatus === 'allowed';
  if (simulatorAllows === localAllows) return undefined;
  const detail = decisions.map((entry) => `${inert(entry.action, 80)}=${inert(entry.decision, 40)}`).join(', ');
  return `simulate: IAM's simulator and the local evaluator disagree on ${repositoryArn} for ${roleArn} (simulator: ${detail}; local: ${localStatus}). A permission boundary, an SCP or a condition key may explain it; the local verdict stands.`;
}
