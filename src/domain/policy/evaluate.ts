import { ACCOUNT_ID, roleNameOf } from '../arn.js';
import { evaluateCondition, resolvePolicyVariables } from './conditions.js';
import type { RequestContext } from './context.js';
import { asList, type Principal, type Statement } from './document.js';
import { arnGlobMatch, globMatch, LITERAL_QUESTION, LITERAL_STAR } from './glob.js';

/**
 * A small IAM evaluator for the questions this action asks: may a session of this role perform this
 * action on this resource, given its identity policies, its permissions boundary, the SCPs over its
 * account, the repository policy and the RCPs over the registry account, in this request context?
 * Pure: data in, data out. Checked against @cloud-copilot/iam-simulate in the differential tests.
 */
export type Decision = 'allowed' | 'explicitly-denied' | 'implicitly-denied' | 'conditional';

export interface PolicySource {
  /** Where the policy lives, for messages: e.g. "inline policy WorkspaceTemplatePrimaryECRPull". */
  name: string;
  statements: Statement[];
  /** The document's Version: policy variables work only in "2012-10-17" (undefined: taken as that). */
  version?: string;
}

/** The principal making the request: a session of a role (what a staging host's credentials are). */
export interface Caller {
  /** The role's ARN with its path, e.g. arn:aws:iam::004947743811:role/tenants/Puller. */
  roleArn: string;
  /** The role's unique ID (AROA…), when read: a repository policy may still name it that way. */
  roleId?: string;
  /** AWS's NotPrincipal rule differs for a principal with a permissions boundary. */
  hasBoundary: boolean;
}

export interface EvaluationRequest {
  action: string;
  /** An ARN, or `*` for actions that take no resource (ecr:GetAuthorizationToken). */
  resource: string;
  /** Needed for resource policies (and RCPs): who is asking. */
  caller?: Caller;
  context: RequestContext;
}

export interface DecidingStatement {
  policy: string;
  statement: Statement;
}

export interface Evaluation {
  decision: Decision;
  /** The statements that decided: the denying ones, or the allowing ones, or the conditional ones. */
  deciding: DecidingStatement[];
  /** Condition keys (or other unknowns) the decision depends on: non-empty only when conditional. */
  unknownKeys: string[];
}

type Match = { kind: 'no' } | { kind: 'yes' } | { kind: 'conditional'; keys: string[] };
const NO: Match = { kind: 'no' };
const YES: Match = { kind: 'yes' };
export type PolicyKind = 'identity' | 'resource';

/**
 * IAM role names are unique regardless of case, but AWS does not document whether a principal ARN
 * that differs from the role's only in case names it: such a match is conditional, never a pass.
 */
export const ROLE_NAME_CASE_KEY = 'the case of the role name in a principal ARN (AWS does not document case-insensitive principal matching)';

/** The session name is fixed only by the pull (the host's AssumeRole): an ARN naming one session depends on it. */
export const SESSION_NAME_KEY = 'aws:userid (the role session name)';

/** AND of matches: any no is no; otherwise the unknown keys add up. */
function all(matches: Match[]): Match {
  if (matches.some((match) => match.kind === 'no')) return NO;
  const keys = matches.flatMap((match) => (match.kind === 'conditional' ? match.keys : []));
  return keys.length > 0 ? { kind: 'conditional', keys: [...new Set(keys)] } : YES;
}

/** OR of matches: any yes is yes; otherwise any conditional is conditional. */
function any(matches: Match[]): Match {
  if (matches.some((match) => match.kind === 'yes')) return YES;
  const keys = matches.flatMap((match) => (match.kind === 'conditional' ? match.keys : []));
  return keys.length > 0 ? { kind: 'conditional', keys: [...new Set(keys)] } : NO;
}

function not(match: Match): Match {
  return match.kind === 'conditional' ? match : match.kind === 'yes' ? NO : YES;
}

export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, { ignoreCase: true });
}

function splitArn(arn: string): string[] {
  const parts = arn.split(':');
  return [...parts.slice(0, 5), parts.slice(5).join(':')].slice(0, parts.length);
}

/** What a Resource match depends on when AWS does not say: the case of an ARN's partition, service, region or account. */
export const ARN_CASE_KEY = 'the case of the ARN before its resource (AWS does not document whether it matches case-insensitively)';

/**
 * IAM's Resource matching ("IAM JSON policy elements: Resource"): the pattern is matched against the
 * whole ARN; `*` and `?` work within a segment, and a `*` that ends a segment can expand across
 * colons: `…:153263036946:*` and `…:repo*` + `/team/*` cover `repository/team/app`, slashes and the
 * resource type included (./glob.ts `arnGlobMatch`). The resource compares case-sensitively; for
 * the part before it AWS says nothing, so a match only when case is ignored is "case-only" (a
 * caller makes that conditional, never a pass). A short ARN is also tried padded with `*` in
 * identity policies (in a resource policy it counts only with a wildcard); against the `*` of an
 * action without resources it proves nothing, so it cannot exclude it from NotResource ("undetermined").
 */
export function resourceMatch(pattern: string, resource: string, kind: PolicyKind): 'yes' | 'no' | 'undetermined' | 'case-only' {
  if (pattern === '*') return 'yes';
  if (!pattern.startsWith('arn:')) return 'no';
  const segments = splitArn(pattern);
  const short = segments.length < 6;
  if (short && kind === 'resource' && !pattern.includes('*')) return 'no';
  // Actions without resource-level permissions (ecr:GetAuthorizationToken) ask for "*": only "*" grants
  // them; a short ARN there proves nothing either way, so it cannot exclude "*" from a NotResource.
  if (resource === '*' || !resource.startsWith('arn:')) return short ? 'undetermined' : 'no';
  const candidates = [pattern];
  if (short) candidates.push([...segments, ...Array<string>(6 - segments.length).fill('*')].join(':'));
  for (const candidate of candidates) {
    if (arnGlobMatch(candidate, resource, { foldBefore: 0 })) return 'yes';
    // Where the resource starts, in code points: needed only when the exact match failed.
    const resourceStart = [...candidate].length - [...(splitArn(candidate)[5] ?? '')].length;
    if (arnGlobMatch(candidate, resource, { foldBefore: resourceStart })) return 'case-only';
  }
  // Neither as written nor padded: no reading of the pattern covers this ARN.
  return 'no';
}

export function resourceMatches(pattern: string, resource: string, kind: PolicyKind): boolean {
  return resourceMatch(pattern, resource, kind) === 'yes';
}

/** A Resource/NotResource entry, with policy variables (`${aws:PrincipalTag/team}`) resolved from the context. */
function resourceEntryMatch(pattern: string, request: EvaluationRequest, kind: PolicyKind, variables: boolean): 'yes' | 'no' | 'undetermined' | Match {
  // IAM resolves variables in a Resource ARN only after its fifth colon ("Where you can use policy
  // variables"); elsewhere `${…}` is literal text.
  const resourcePart = pattern.split(':').slice(5).join(':');
  const prefix = pattern.slice(0, pattern.length - resourcePart.length);
  const match = (text: string): 'yes' | 'no' | 'undetermined' | Match => {
    const result = resourceMatch(text, request.resource, kind);
    return result === 'case-only' ? { kind: 'conditional', keys: [ARN_CASE_KEY] } : result;
  };
  if (!variables || !resourcePart.includes('${') || prefix.includes('${')) return match(pattern);
  // `${*}` and `${?}` are a literal `*` and `?` ("IAM policy elements: Variables and tags"), not wildcards.
  const escaped = prefix + resourcePart.replaceAll('${*}', LITERAL_STAR).replaceAll('${?}', LITERAL_QUESTION);
  const resolved = resolvePolicyVariables(escaped, request.context);
  if (resolved.outcome === 'unknown') return { kind: 'conditional', keys: resolved.keys };
  // AWS: a variable whose key is not in the request makes the entry match nothing.
  if (resolved.outcome === 'absent') return 'no';
  return match(resolved.value);
}

function resourcesMatch(statement: Statement, request: EvaluationRequest, kind: PolicyKind, variables: boolean): Match {
  if (statement.Resource !== undefined) {
    return any(
      asList(statement.Resource).map((pattern) => {
        const match = resourceEntryMatch(pattern, request, kind, variables);
        return typeof match === 'string' ? (match === 'yes' ? YES : NO) : match;
      }),
    );
  }
  if (statement.NotResource !== undefined) {
    // Listed in NotResource (or not provably outside a short ARN): the statement does not apply.
    return not(
      any(
        asList(statement.NotResource).map((pattern) => {
          const match = resourceEntryMatch(pattern, request, kind, variables);
          return typeof match === 'string' ? (match === 'no' ? NO : YES) : match;
        }),
      ),
    );
  }
  // A repository policy statement may omit Resource: it then means the repository itself.
  return kind === 'resource' ? YES : NO;
}

interface CallerParts {
  partition: string;
  account: string;
  roleName: string;
}

function callerParts(caller: Caller): CallerParts {
  const [, partition, , , account, resource] = splitArn(caller.roleArn);
  return { partition, account, roleName: roleNameOf(resource) };
}

/**
 * Does one `AWS` principal value name the caller (a session of a role)? Naming the role's ARN or
 * its account (root ARN or bare ID) covers its sessions; naming one assumed-role session ARN depends
 * on the session name, which only the pull knows. Partitions must agree: an `aws-cn` root is not an
 * `aws` account.
 */
function principalValueMatch(value: string, caller: Caller): Match {
  if (value === '*') return YES;
  const parts = callerParts(caller);
  if (ACCOUNT_ID.test(value)) return value === parts.account ? YES : NO;
  if (caller.roleId && value === caller.roleId) return YES;
  if (value === `arn:${parts.partition}:iam::${parts.account}:root`) return YES;
  if (value === caller.roleArn) return YES;
  if (value.toLowerCase() === caller.roleArn.toLowerCase() && value.startsWith(`arn:${parts.partition}:iam::${parts.account}:role/`)) {
    return { kind: 'conditional', keys: [ROLE_NAME_CASE_KEY] };
  }
  return sessionOfCaller(value, parts);
}

/** An assumed-role session ARN of the caller's role depends on the session name (and, in another case, on the role name's case). */
function sessionOfCaller(value: string, parts: CallerParts): Match {
  const session = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/.exec(value);
  if (!session || session[1] !== parts.partition || session[2] !== parts.account) return NO;
  if (session[3] === parts.roleName) return { kind: 'conditional', keys: [SESSION_NAME_KEY] };
  return session[3].toLowerCase() === parts.roleName.toLowerCase() ? { kind: 'conditional', keys: [SESSION_NAME_KEY, ROLE_NAME_CASE_KEY] } : NO;
}

function principalValues(element: Principal): string[] {
  return element === '*' ? ['*'] : asList(element.AWS);
}

/** Principal: applies when any value names the caller. */
export function principalMatch(element: Principal, caller: Caller): Match {
  return any(principalValues(element).map((value) => principalValueMatch(value, caller)));
}

/**
 * NotPrincipal: applies to everyone not listed. AWS exempts a role session only when its own
 * assumed-role session ARN is listed ("Specifying NotPrincipal": the role ARN and the account
 * alone do not exempt the session), and never exempts a principal with a permissions boundary
 * (a NotPrincipal Deny always denies it).
 */
function notPrincipalApplies(element: Principal, caller: Caller): Match {
  const values = principalValues(element);
  if (values.includes('*')) return NO;
  if (caller.hasBoundary) return YES;
  const parts = callerParts(caller);
  // Listed (maybe) means exempt (maybe): the statement applies unless the listing is certain.
  return not(any(values.map((value) => sessionOfCaller(value, parts))));
}

function principalApplies(statement: Statement, request: EvaluationRequest, kind: PolicyKind): Match {
  if (kind === 'identity') return YES;
  if (!request.caller) return NO;
  if (statement.Principal !== undefined && statement.Principal !== null) return principalMatch(statement.Principal, request.caller);
  if (statement.NotPrincipal !== undefined && statement.NotPrincipal !== null) return notPrincipalApplies(statement.NotPrincipal, request.caller);
  return NO;
}

function actionsMatch(statement: Statement, action: string): Match {
  const hit =
    statement.Action !== undefined
      ? asList(statement.Action).some((pattern) => actionMatches(pattern, action))
      : !asList(statement.NotAction).some((pattern) => actionMatches(pattern, action));
  return hit ? YES : NO;
}

function conditionMatch(statement: Statement, context: RequestContext, variables: boolean): Match {
  const result = evaluateCondition(statement.Condition as Record<string, Record<string, unknown>> | undefined, context, { policyVariables: variables });
  if (result.outcome === 'match') return YES;
  if (result.outcome === 'no-match') return NO;
  return { kind: 'conditional', keys: result.keys };
}

/** Does this statement apply to the request? Cheap checks first: a definite no needs no condition. */
export function statementMatch(statement: Statement, request: EvaluationRequest, kind: PolicyKind, variables = true): Match {
  const principal = principalApplies(statement, request, kind);
  if (principal.kind === 'no') return NO;
  const action = actionsMatch(statement, request.action);
  if (action.kind === 'no') return NO;
  const resource = resourcesMatch(statement, request, kind, variables);
  if (resource.kind === 'no') return NO;
  return all([principal, resource, conditionMatch(statement, request.context, variables)]);
}

/** Only the Deny statements of a layer: a Deny that applies, one that may apply (conditional), or nothing ("allowed"). */
export function evaluateDenies(policies: PolicySource[], request: EvaluationRequest, kind: PolicyKind): Evaluation {
  const denies = policies.map((policy) => ({ ...policy, statements: policy.statements.filter((statement) => statement.Effect === 'Deny') }));
  const allowAll: PolicySource = { name: '', statements: [{ Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' }] };
  const evaluation = evaluate([...denies, allowAll], request, kind);
  return evaluation.decision === 'allowed' ? { decision: 'allowed', deciding: [], unknownKeys: [] } : evaluation;
}

/** One layer of policies (e.g. the identity policies): explicit Deny wins; what could change the answer makes it "conditional". */
export function evaluate(policies: PolicySource[], request: EvaluationRequest, kind: PolicyKind): Evaluation {
  const allow: { yes: DecidingStatement[]; conditional: DecidingStatement[] } = { yes: [], conditional: [] };
  const deny: { yes: DecidingStatement[]; conditional: DecidingStatement[] } = { yes: [], conditional: [] };
  const keys = { Allow: new Set<string>(), Deny: new Set<string>() };
  for (const policy of policies) {
    // IAM resolves policy variables only in Version 2012-10-17 documents ("IAM policy elements: Variables and tags").
    const variables = policy.version === undefined || policy.version === '2012-10-17';
    for (const statement of policy.statements) {
      const match = statementMatch(statement, request, kind, variables);
      if (match.kind === 'no') continue;
      const bucket = statement.Effect === 'Deny' ? deny : allow;
      bucket[match.kind].push({ policy: policy.name, statement });
      if (match.kind === 'conditional') for (const key of match.keys) keys[statement.Effect].add(key);
    }
  }
  if (deny.yes.length > 0) return { decision: 'explicitly-denied', deciding: deny.yes, unknownKeys: [] };
  if (allow.yes.length + allow.conditional.length === 0) return { decision: 'implicitly-denied', deciding: [], unknownKeys: [] };
  if (deny.conditional.length > 0) return { decision: 'conditional', deciding: deny.conditional, unknownKeys: [...keys.Deny].sort() };
  if (allow.yes.length > 0) return { decision: 'allowed', deciding: allow.yes, unknownKeys: [] };
  return { decision: 'conditional', deciding: allow.conditional, unknownKeys: [...keys.Allow].sort() };
}

/**
 * The layers AWS combines for a request (its "policy evaluation logic"): identity policies, the
 * permissions boundary and the SCPs on the caller's side; the resource policy and the RCPs on the
 * resource's side. SCPs and RCPs come as levels (account, each OU, the root): each level must allow.
 */
export type Layer = 'identity' | 'boundary' | 'scp' | 'resource' | 'registry' | 'rcp';

export interface LayerPolicies {
  layer: Layer;
  /** One entry per level (one for identity, boundary and resource). */
  levels: { label: string; policies: PolicySource[] }[];
  kind: PolicyKind;
  /**
   * Only its Deny statements take part: the registry policy under scope V2, whose Allow ECR does not
   * document as a grant for pulls (so it never counts as the allow, and its absence denies nothing).
   */
  denyOnly?: boolean;
}

export interface LayeredEvaluation extends Evaluation {
  /** The layer (and level) that decided when not allowed; undefined when allowed. */
  layer?: Layer;
  level?: string;
}

const RANK: Record<Decision, number> = { 'explicitly-denied': 3, 'implicitly-denied': 2, conditional: 1, allowed: 0 };

/** Worst first: a definite Deny anywhere beats a missing Allow, which beats a condition, which beats an allow. */
export function worse<T extends { decision: Decision }>(a: T | undefined, b: T): T {
  return a === undefined || RANK[b.decision] > RANK[a.decision] ? b : a;
}

/**
 * Every layer and level must allow and none may deny: the request is allowed only then. The
 * result names the worst layer's evaluation (a Deny in any layer wins over a missing Allow in another).
 */
export function evaluateLayers(layers: LayerPolicies[], request: EvaluationRequest): LayeredEvaluation {
  let result: LayeredEvaluation | undefined;
  const allows: DecidingStatement[] = [];
  for (const { layer, levels, kind, denyOnly } of layers) {
    for (const level of levels) {
      const evaluation = (denyOnly ? evaluateDenies : evaluate)(level.policies, request, kind);
      if (evaluation.decision === 'allowed') allows.push(...evaluation.deciding);
      else result = worse(result, { ...evaluation, layer, level: level.label });
    }
  }
  return result ?? { decision: 'allowed', deciding: allows, unknownKeys: [] };
}
