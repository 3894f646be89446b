import type { PolicyDocument, Statement } from '../policy/document.js';
import { evaluate, type Evaluation, type PolicySource } from '../policy/evaluate.js';

/** What was read of the pulling role in the staging account. */
export interface StagingIdentity {
  roleArn: string;
  /** The inline policy holding the allowlist, when named (for fix messages and reconcile). */
  policyName: string | undefined;
  policies: PolicySource[];
  /** Set when the role or the named policy could not be found: that alone is drift. */
  problem: string | undefined;
}

export type SideStatus = 'ok' | 'missing' | 'denied' | 'conditional' | 'not checked';

export interface SideVerdict {
  status: SideStatus;
  findings: string[];
}

function describeStatement(deciding: { policy: string; statement: Statement }): string {
  const sid = deciding.statement.Sid ? `statement "${deciding.statement.Sid}"` : 'a statement without Sid';
  return `${sid} of ${deciding.policy}`;
}

function conditionKeys(statement: Statement): string {
  return Object.entries(statement.Condition ?? {})
    .flatMap(([operator, keys]) => Object.keys(keys).map((key) => `${operator} ${key}`))
    .join(', ');
}

/** Evaluates every pull action and returns the worst outcome with the statements behind it. */
function worstOf(evaluations: [string, Evaluation][]): { action: string; evaluation: Evaluation } | undefined {
  const rank = { 'explicitly-denied': 3, 'implicitly-denied': 2, conditional: 1, allowed: 0 } as const;
  let worst: { action: string; evaluation: Evaluation } | undefined;
  for (const [action, evaluation] of evaluations) {
    if (rank[evaluation.decision] > 0 && (!worst || rank[evaluation.decision] > rank[worst.evaluation.decision])) worst = { action, evaluation };
  }
  return worst;
}

function roleName(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

function accountOf(arn: string): string {
  return arn.split(':')[4];
}

/** Resource side: does the repository policy let the staging role pull (directly or via its account root)? */
export function judgeGrant(
  repository: string,
  repositoryArn: string,
  repositoryPolicy: PolicyDocument | undefined,
  principal: string,
  pullActions: string[],
  policySid: string,
): SideVerdict {
  const source: PolicySource = { name: `the repository policy of ${repository}`, statements: repositoryPolicy?.Statement ?? [] };
  const worst = worstOf(pullActions.map((action) => [action, evaluate([source], { action, resource: repositoryArn, principal }, 'resource')]));
  if (!worst) return { status: 'ok', findings: [] };
  const { action, evaluation } = worst;
  const fixStatement = JSON.stringify({ Sid: policySid, Effect: 'Allow', Principal: { AWS: principal }, Action: pullActions });
  switch (evaluation.decision) {
    case 'explicitly-denied':
      return {
        status: 'denied',
        findings: evaluation.deciding.map((deciding) => `${describeStatement(deciding)} denies ${action} to ${principal}. Narrow or remove that statement in registry ${accountOf(repositoryArn)}.`),
      };
    case 'conditional':
      return {
        status: 'conditional',
        findings: evaluation.deciding.map((deciding) => `${describeStatement(deciding)} decides ${action} for ${principal} only under a Condition (${conditionKeys(deciding.statement)}), which cannot be verified here. Grant it without a condition, e.g. ${fixStatement}.`),
      };
    default:
      return {
        status: 'missing',
        findings: [`the repository policy does not let ${principal} ${action}. Add this statement to the repository policy of ${repository} (registry ${accountOf(repositoryArn)}): ${fixStatement}, or set \`pull-principals\` to that role or its account and run publish or reconcile.`],
      };
  }
}

/** Identity side: does the staging role's identity policy allow pulling this repository? */
export function judgeIdentity(repositoryArn: string, staging: StagingIdentity, pullActions: string[]): SideVerdict {
  if (staging.problem) return { status: 'missing', findings: [staging.problem] };
  const worst = worstOf(pullActions.map((action) => [action, evaluate(staging.policies, { action, resource: repositoryArn }, 'identity')]));
  if (!worst) return { status: 'ok', findings: [] };
  const { action, evaluation } = worst;
  const role = `role ${roleName(staging.roleArn)} (account ${accountOf(staging.roleArn)})`;
  switch (evaluation.decision) {
    case 'explicitly-denied':
      return {
        status: 'denied',
        findings: evaluation.deciding.map((deciding) => `${describeStatement(deciding)} on ${role} denies ${action} on ${repositoryArn}. Narrow or remove that Deny.`),
      };
    case 'conditional':
      return {
        status: 'conditional',
        findings: evaluation.deciding.map((deciding) => `${describeStatement(deciding)} on ${role} decides ${action} on ${repositoryArn} only under a Condition (${conditionKeys(deciding.statement)}), which cannot be verified here. Allow it without a condition.`),
      };
    default: {
      const where = staging.policyName ? `inline policy ${staging.policyName}` : 'the pull allowlist statement of its policies';
      return {
        status: 'missing',
        findings: [`${role} may not ${action} ${repositoryArn}. Add "${repositoryArn}" to the Resource list of ${where} on ${role}, or run mode: reconcile.`],
      };
    }
  }
}

/** A pulling role needs ecr:GetAuthorizationToken on "*" in its own account too. */
export function judgeAuthorizationToken(staging: StagingIdentity): SideVerdict {
  if (staging.problem) return { status: 'missing', findings: [] };
  const evaluation = evaluate(staging.policies, { action: 'ecr:GetAuthorizationToken', resource: '*' }, 'identity');
  if (evaluation.decision === 'allowed') return { status: 'ok', findings: [] };
  const role = `role ${roleName(staging.roleArn)} (account ${accountOf(staging.roleArn)})`;
  return {
    status: evaluation.decision === 'explicitly-denied' ? 'denied' : evaluation.decision === 'conditional' ? 'conditional' : 'missing',
    findings: [`${role} may not call ecr:GetAuthorizationToken on "*", so docker login fails before any pull. Add {"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"} to one of its policies.`],
  };
}
