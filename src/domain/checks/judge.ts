import type { RequestContext } from '../policy/context.js';
import { evaluateLayers, worse, type Caller, type LayeredEvaluation, type LayerPolicies, type PolicySource } from '../policy/evaluate.js';
import type { Check, CheckStatus } from './model.js';

/** SCP or RCP levels (account, each OU upward, the root), each of which must allow. */
export type ControlLevels = { label: string; policies: PolicySource[] }[];

/**
 * Everything AWS weighs when a session of the staging role pulls, except the repository policy
 * (which differs per repository): read once per run.
 */
export interface AccessModel {
  caller: Caller;
  context: RequestContext;
  /** The login's context (its resource keys are the caller's own); the pull's when not given. */
  loginContext?: RequestContext;
  identity: PolicySource[];
  boundary?: PolicySource;
  /** SCPs over the staging account; undefined when not read (or not applicable: the management account). */
  scp?: ControlLevels;
  /** RCPs over the registry account, where AWS applies them to ECR; undefined when not read. */
  rcp?: ControlLevels;
}

const STATUS: Record<LayeredEvaluation['decision'], CheckStatus> = {
  allowed: 'allowed',
  'implicitly-denied': 'missing',
  'explicitly-denied': 'denied',
  conditional: 'conditional',
};

function toCheck(action: string, evaluation: LayeredEvaluation): Check {
  return {
    status: STATUS[evaluation.decision],
    action: evaluation.decision === 'allowed' ? undefined : action,
    layer: evaluation.layer,
    level: evaluation.level,
    deciding: evaluation.deciding,
    unknownKeys: evaluation.unknownKeys,
  };
}

/** Every action must be allowed: the check is the worst of them. */
function worstOver(actions: string[], judge: (action: string) => LayeredEvaluation): Check {
  let worst: { action: string; decision: LayeredEvaluation['decision']; evaluation: LayeredEvaluation } | undefined;
  for (const action of actions) {
    const evaluation = judge(action);
    worst = worse(worst, { action, decision: evaluation.decision, evaluation });
  }
  return worst ? toCheck(worst.action, worst.evaluation) : { status: 'allowed', deciding: [], unknownKeys: [] };
}

function controlLayer(layer: 'scp' | 'rcp', levels: ControlLevels | undefined, kind: 'identity' | 'resource'): LayerPolicies[] {
  return levels ? [{ layer, levels, kind }] : [];
}

/** The staging side: identity policies, and the permissions boundary and SCPs when there are any. */
function callerLayers(model: AccessModel): LayerPolicies[] {
  return [
    { layer: 'identity', levels: [{ label: 'identity policies', policies: model.identity }], kind: 'identity' },
    ...(model.boundary
      ? [{ layer: 'boundary' as const, levels: [{ label: model.boundary.name, policies: [model.boundary] }], kind: 'identity' as const }]
      : []),
    ...controlLayer('scp', model.scp, 'identity'),
  ];
}

/** Identity side of pulling one repository. Cross-account, a resource policy never makes up for it. */
export function judgeIdentitySide(repositoryArn: string, model: AccessModel, pullActions: string[]): Check {
  const layers = callerLayers(model);
  return worstOver(pullActions, (action) => evaluateLayers(layers, { action, resource: repositoryArn, caller: model.caller, context: model.context }));
}

/** Repository side: the repository policy must name the role (or its account), and the RCPs must allow. */
export function judgeGrantSide(repositoryArn: string, repositoryPolicy: PolicySource, model: AccessModel, pullActions: string[]): Check {
  const layers: LayerPolicies[] = [
    { layer: 'resource', levels: [{ label: repositoryPolicy.name, policies: [repositoryPolicy] }], kind: 'resource' },
    ...controlLayer('rcp', model.rcp, 'resource'),
  ];
  return worstOver(pullActions, (action) => evaluateLayers(layers, { action, resource: repositoryArn, caller: model.caller, context: model.context }));
}

/** docker login: ecr:GetAuthorizationToken on "*" (no resource policy takes part). */
export function judgeLogin(model: AccessModel): Check {
  const layers = callerLayers(model);
  return worstOver(['ecr:GetAuthorizationToken'], (action) =>
    evaluateLayers(layers, { action, resource: '*', caller: model.caller, context: model.loginContext ?? model.context }),
  );
}
