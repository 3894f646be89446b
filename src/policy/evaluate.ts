import { asList, type Principal, type Statement } from './document.js';
import { globMatch } from './glob.js';

/**
 * A small IAM evaluator for the questions this action asks: may this principal perform this action
 * on this resource, by an identity policy or by a resource policy? Pure: data in, data out.
 * Checked against @cloud-copilot/iam-simulate in the differential tests.
 */
export type Decision = 'allowed' | 'explicitly-denied' | 'implicitly-denied' | 'conditional';

export interface PolicySource {
  /** Where the policy lives, for messages: e.g. "inline policy WorkspaceTemplatePrimaryECRPull". */
  name: string;
  statements: Statement[];
}

export interface EvaluationRequest {
  action: string;
  /** An ARN, or `*` for actions that take no resource (ecr:GetAuthorizationToken). */
  resource: string;
  /** For resource policies: the calling principal's ARN (a role ARN here). */
  principal?: string;
}

export interface DecidingStatement {
  policy: string;
  statement: Statement;
}

export interface Evaluation {
  decision: Decision;
  /** The statements that decided: the denying ones, or the allowing ones, or the conditional ones. */
  deciding: DecidingStatement[];
}

type Match = 'no' | 'yes' | 'conditional';
export type PolicyKind = 'identity' | 'resource';

export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, { ignoreCase: true });
}

interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

function splitArn(arn: string): string[] {
  const parts = arn.split(':');
  return [...parts.slice(0, 5), parts.slice(5).join(':')].slice(0, parts.length);
}

function toArnParts(segments: string[]): ArnParts {
  return { partition: segments[1], service: segments[2], region: segments[3], account: segments[4], resource: segments[5] };
}

/**
 * IAM's ARN matching: partition, service, region and account are each a case-insensitive glob;
 * the resource type (up to the first `/` or `:`) must match literally; the rest is a
 * case-sensitive glob. A short ARN is padded with `*` in identity policies (in a resource policy it
 * counts only with a wildcard); when a padded one fails to match, that proves nothing, so it
 * cannot exclude a resource from NotResource either ("undetermined").
 */
export function resourceMatch(pattern: string, resource: string, kind: PolicyKind): 'yes' | 'no' | 'undetermined' {
  if (pattern === '*') return 'yes';
  if (!pattern.startsWith('arn:')) return 'no';
  const patternSegments = splitArn(pattern);
  const short = patternSegments.length < 6;
  if (short) {
    if (kind === 'resource' && !pattern.includes('*')) return 'no';
    while (patternSegments.length < 6) patternSegments.push('*');
  }
  const miss = short ? 'undetermined' : 'no';
  // Actions without resource-level permissions (ecr:GetAuthorizationToken) ask for "*": only "*" grants them.
  if (resource === '*') return miss;
  const requestSegments = splitArn(resource);
  if (requestSegments.length < 6) return miss;
  const want = toArnParts(patternSegments);
  const have = toArnParts(requestSegments);
  for (const key of ['partition', 'service', 'region', 'account'] as const) {
    if (!globMatch(want[key], have[key], { ignoreCase: true })) return miss;
  }
  const cut = [want.resource.indexOf('/'), want.resource.indexOf(':')].filter((index) => index >= 0);
  const typeLength = cut.length > 0 ? Math.min(...cut) + 1 : 0;
  if (!have.resource.startsWith(want.resource.slice(0, typeLength))) return miss;
  return globMatch(want.resource.slice(typeLength), have.resource.slice(typeLength)) ? 'yes' : miss;
}

export function resourceMatches(pattern: string, resource: string, kind: PolicyKind): boolean {
  return resourceMatch(pattern, resource, kind) === 'yes';
}

const ACCOUNT_ID = /^\d{12}$/;

function accountOf(arn: string): string | undefined {
  return /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

/** Does a Principal element name this principal? `root` and a bare account ID cover the account's roles. */
export function principalMatches(element: Principal, principal: string): boolean {
  if (element === '*') return true;
  const account = accountOf(principal);
  return asList(element.AWS).some((value) => {
    if (value === '*') return true;
    if (ACCOUNT_ID.test(value)) return value === account;
    const rootAccount = /^arn:aws[\w-]*:iam::(\d{12}):root$/.exec(value)?.[1];
    if (rootAccount) return rootAccount === account;
    return value === principal;
  });
}

function hasPolicyVariable(values: string[]): boolean {
  return values.some((value) => value.includes('${'));
}

function statementMatches(statement: Statement, request: EvaluationRequest, kind: PolicyKind): Match {
  if (kind === 'resource') {
    if (!request.principal) return 'no';
    if (statement.Principal !== undefined && !principalMatches(statement.Principal, request.principal)) return 'no';
    if (statement.NotPrincipal !== undefined && principalMatches(statement.NotPrincipal, request.principal)) return 'no';
    if (statement.Principal === undefined && statement.NotPrincipal === undefined) return 'no';
  }
  const actionHit =
    statement.Action !== undefined
      ? asList(statement.Action).some((pattern) => actionMatches(pattern, request.action))
      : !asList(statement.NotAction).some((pattern) => actionMatches(pattern, request.action));
  if (!actionHit) return 'no';

  // A repository policy statement may omit Resource: it then means the repository itself.
  const resources = asList(statement.Resource);
  const notResources = asList(statement.NotResource);
  if (statement.Resource !== undefined || statement.NotResource !== undefined) {
    const listed = statement.Resource !== undefined ? resources : notResources;
    const resourceHit =
      statement.Resource !== undefined
        ? resources.some((pattern) => resourceMatch(pattern, request.resource, kind) === 'yes')
        : notResources.every((pattern) => resourceMatch(pattern, request.resource, kind) === 'no');
    // A policy variable (${aws:username}) depends on the request context: undecidable here.
    if (hasPolicyVariable(listed)) return 'conditional';
    if (!resourceHit) return 'no';
  } else if (kind === 'identity') {
    return 'no';
  }
  return statement.Condition && Object.keys(statement.Condition).length > 0 ? 'conditional' : 'yes';
}

/** Explicit deny wins; conditions that could change the answer make it "conditional", never a pass. */
export function evaluate(policies: PolicySource[], request: EvaluationRequest, kind: PolicyKind): Evaluation {
  const hits = { Allow: { yes: [] as DecidingStatement[], conditional: [] as DecidingStatement[] }, Deny: { yes: [] as DecidingStatement[], conditional: [] as DecidingStatement[] } };
  for (const policy of policies) {
    for (const statement of policy.statements) {
      const match = statementMatches(statement, request, kind);
      if (match !== 'no') hits[statement.Effect][match].push({ policy: policy.name, statement });
    }
  }
  if (hits.Deny.yes.length > 0) return { decision: 'explicitly-denied', deciding: hits.Deny.yes };
  const allows = [...hits.Allow.yes, ...hits.Allow.conditional];
  if (allows.length === 0) return { decision: 'implicitly-denied', deciding: [] };
  if (hits.Deny.conditional.length > 0) return { decision: 'conditional', deciding: hits.Deny.conditional };
  if (hits.Allow.yes.length > 0) return { decision: 'allowed', deciding: hits.Allow.yes };
  return { decision: 'conditional', deciding: hits.Allow.conditional };
}
