import { SimulatePrincipalPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { CheckStatus } from '../../domain/checks/model.js';

/** What the simulator said, when it matters: it failed, or it disagrees with the local verdict. */
export type SimulatorOutcome =
  | { kind: 'simulator-failed'; repositoryArn: string; roleArn: string; code: string; message: string }
  | { kind: 'simulator-disagrees'; repositoryArn: string; roleArn: string; decisions: { action: string; decision: string }[]; local: string };

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
): Promise<SimulatorOutcome | undefined> {
  let decisions: { action: string; decision: string }[];
  try {
    const response = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: pullActions, ResourceArns: [repositoryArn] }));
    decisions = (response.EvaluationResults ?? []).map((result) => ({ action: result.EvalActionName ?? '?', decision: result.EvalDecision ?? '?' }));
  } catch (error) {
    return { kind: 'simulator-failed', repositoryArn, roleArn, code: String((error as Error).name), message: (error as Error).message?.split('\n')[0] ?? '' };
  }
  const simulatorAllows = decisions.length === pullActions.length && decisions.every((entry) => entry.decision === 'allowed');
  const localAllows = localStatus === 'allowed';
  if (simulatorAllows === localAllows) return undefined;
  return { kind: 'simulator-disagrees', repositoryArn, roleArn, decisions, local: localStatus };
}
