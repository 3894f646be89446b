import type { RepositoryVerdict, RoleVerdict } from './checks/model.js';
import { UserError } from '../errors.js';
import {
  ALLOWLIST_SID,
  editAllowlist,
  findAllowlistStatement,
  INLINE_POLICIES_LIMIT,
  removableArns,
  widerPullStatements,
  type AllowlistEdit,
} from './policy/allowlist.js';
import { accountOf, regionOf, repositoryArn } from './arn.js';
import { asList, iamPolicyLength, type PolicyDocument } from './policy/document.js';
import type { GrantPlan } from './policy/repository-grant.js';

/** Why reconcile leaves something for a person: typed, phrased by `formatPlan`. */
export type Unfixable =
  | { kind: 'grant-needs-principals'; repository: string }
  /** Our own statement was widened, and the run does not know whom it should name (pull-principals empty). */
  | { kind: 'own-statement-needs-principals'; repository: string; sid: string }
  | { kind: 'foreign-stale-principal'; repository: string }
  | { kind: 'no-repository'; repository: string }
  | { kind: 'grant-side'; repository: string; status: string; layer: string | undefined; statements: string[] }
  | { kind: 'registry-deny'; repository: string; status: string; statements: string[] }
  | { kind: 'identity-side'; repository: string; status: string; layer: string | undefined }
  | { kind: 'extra-elsewhere'; repository: string; heldBy: { sid: string | undefined; policy: string }[] }
  | { kind: 'login'; status: string; layer: string | undefined }
  | { kind: 'not-replicated'; repository: string; region: string }
  | { kind: 'replica-not-checked'; repository: string; region: string }
  | { kind: 'replica-template'; repository: string; region: string; registryId: string; template: string | undefined; status: string }
  /** The destination's registry policy does not let the source registry replicate (a person's to change). */
  | { kind: 'replication-permission'; repository: string; region: string; registryId: string; action: string; status: string };

export interface ReconcilePlan {
  /** Each repository (or replica: `arn` says which registry and region) whose grant is written. */
  grants: { repository: string; arn: string; plan: GrantPlan; replicaIn?: string }[];
  allowlist: AllowlistEdit;
  allowlistBefore: PolicyDocument | undefined;
  allowlistAfter: PolicyDocument | undefined;
  /** Reconcile writes its own pull-only statement: the allowlist had none it may extend. */
  ownStatement: { sid: string; wider: string[] } | undefined;
  /**
   * Prune leaves no ARN in the allowlist statement: the statement goes (IAM refuses an empty
   * Resource list), and with nothing else left in the policy, the inline policy is deleted
   * (IAM refuses a policy without statements too).
   */
  emptied: { sid: string; deletePolicy: boolean } | undefined;
  /** What reconcile cannot fix on its own (a Deny, a Condition, a boundary, an SCP, a grant with no pull-principals). */
  unfixable: Unfixable[];
  size: { used: number; limit: number };
}

export interface PlanInput {
  region: string;
  registryId: string;
  verdicts: RepositoryVerdict[];
  role: RoleVerdict;
  /** By repository ARN: the grant each repository (or replica) read would need. */
  grantPlans: Map<string, GrantPlan | undefined>;
  extra: string[];
  prune: boolean;
  pullActions: string[];
  allowlistDocument: PolicyDocument | undefined;
  /** Every identity policy of the role (to say where an extra reconcile may not remove is held). */
  policies: { name: string; document: PolicyDocument }[];
  /** Lengths (whitespace not counted) of the role's other inline policies. */
  otherInlineLength: number;
  policyName: string;
}

function planGrants(input: PlanInput, unfixable: Unfixable[]): ReconcilePlan['grants'] {
  const grants: ReconcilePlan['grants'] = [];
  for (const verdict of input.verdicts) {
    const plan = input.grantPlans.get(verdict.arn);
    const { repository, grant, arn, replica } = verdict;
    // A pull in a region the image is not replicated to, or whose replica was not read: no write can help.
    if (replica?.kind === 'not-replicated') {
      unfixable.push({ kind: 'not-replicated', repository, region: regionOf(arn) });
      continue;
    }
    if (replica?.kind === 'not-checked') {
      unfixable.push({ kind: 'replica-not-checked', repository, region: regionOf(arn) });
      continue;
    }
    // Nothing to replicate: the registry's own repository is missing (said once, for the registry's region).
    if (replica?.kind === 'no-source') continue;
    // ECR may not replicate there: no write of reconcile's makes the image reach that replica.
    if (replica?.kind === 'replica' && replica.replication && replica.replication.status !== 'allowed') {
      const { action, status } = replica.replication;
      unfixable.push({ kind: 'replication-permission', repository, region: regionOf(arn), registryId: accountOf(arn), action, status });
    }
    // A replica still to be created gets its creation template's policy: the template is a person's to change.
    if (replica && !replica.created) {
      if (grant && grant.status !== 'allowed' && grant.layer === 'resource')
        unfixable.push({
          kind: 'replica-template',
          repository,
          region: regionOf(arn),
          registryId: accountOf(arn),
          template: replica.template,
          status: grant.status,
        });
      continue;
    }
    const registryDenies = grant?.registryDenies;
    if (registryDenies) {
      const statements = registryDenies.deciding.map((deciding) => deciding.statement.Sid ?? '(no Sid)');
      unfixable.push({ kind: 'registry-deny', repository, status: registryDenies.status, statements });
      // A registry Deny that applies makes any grant ineffective: write none (a conditional one may not apply).
      if (registryDenies.status === 'denied') continue;
    }
    const write = (): void => {
      if (plan && !grants.some((planned) => planned.arn === arn)) grants.push({ repository, arn, plan, ...(replica ? { replicaIn: regionOf(arn) } : {}) });
    };
    const own = verdict.ownStatement;
    if (!verdict.exists) unfixable.push({ kind: 'no-repository', repository });
    else if (grant?.status === 'missing' && grant.layer === 'resource') {
      if (plan?.changes) write();
      else unfixable.push({ kind: 'grant-needs-principals', repository });
    } else if (grant && grant.status !== 'allowed' && grant.layer !== 'registry') {
      const statements = grant.deciding.map((deciding) => deciding.statement.Sid ?? '(no Sid)');
      // Decided by our own statement alone (e.g. a Condition added to it): the rewrite below fixes it.
      // Only in the repository policy, and only when it is named: an RCP's implicit deny names no
      // statement and no rewrite of ours lifts it.
      const ownAlone = own && grant.layer === 'resource' && statements.length > 0 && statements.every((sid) => sid === own.sid);
      if (!ownAlone) unfixable.push({ kind: 'grant-side', repository, status: grant.status, layer: grant.layer, statements });
    } else if (verdict.stalePrincipals.length > 0) {
      // Our own statement is rewritten with current ARNs; a foreign one is left for a person.
      if (plan?.changes) write();
      else unfixable.push({ kind: 'foreign-stale-principal', repository });
    }
    // Our own statement widened (or copied): rewritten to exactly the owned form, in the same one write.
    if (verdict.exists && own) {
      if (plan?.changes) write();
      else unfixable.push({ kind: 'own-statement-needs-principals', repository, sid: own.sid });
    }
  }
  return grants;
}

/** Which statements of which policies name `arn` (for a person to edit by hand). */
function holders(policies: PlanInput['policies'], arn: string): { sid: string | undefined; policy: string }[] {
  return policies.flatMap(({ name, document }) =>
    document.Statement.filter((statement) => asList(statement.Resource).includes(arn)).map((statement) => ({ sid: statement.Sid, policy: name })),
  );
}

/** The minimal change that makes every expected repository pullable: pure, printed before applying. */
export function planReconcile(input: PlanInput): ReconcilePlan {
  const unfixable: Unfixable[] = [];
  const grants = planGrants(input, unfixable);
  const add: string[] = [];
  if (!input.role.problem || input.role.problem.kind === 'policy-not-found') {
    for (const { repository, identity, grant, arn, replica } of input.verdicts) {
      // A registry policy Deny is no one's to lift here: an allowlist entry would not make the pull work.
      if (grant?.registryDenies?.status === 'denied') continue;
      // Nothing to pull there (or not read): an allowlist entry would not make the pull work either.
      if (replica && replica.kind !== 'replica') continue;
      if (input.role.problem || (identity?.status === 'missing' && identity.layer === 'identity')) add.push(arn);
      else if (identity && identity.status !== 'allowed') unfixable.push({ kind: 'identity-side', repository, status: identity.status, layer: identity.layer });
    }
  }
  const login = input.role.login;
  const addLogin = login?.status === 'missing' && login.layer === 'identity';
  if (login && login.status !== 'allowed' && !addLogin) unfixable.push({ kind: 'login', status: login.status, layer: login.layer });

  // Prune removes an extra only from the statement reconcile owns; one held elsewhere is left for a person.
  const removable = removableArns(input.allowlistDocument, input.pullActions);
  const remove: string[] = [];
  if (input.prune) {
    for (const name of input.extra) {
      const arn = repositoryArn(input.region, input.registryId, name);
      if (removable.has(arn)) remove.push(arn);
      else unfixable.push({ kind: 'extra-elsewhere', repository: name, heldBy: holders(input.policies, arn) });
    }
  }
  const allowlist: AllowlistEdit = { add: add.sort(), remove: remove.sort(), addLogin };
  const changesAllowlist = allowlist.add.length > 0 || allowlist.remove.length > 0 || allowlist.addLogin;
  const allowlistAfter = changesAllowlist ? editAllowlist(input.allowlistDocument, allowlist, input.pullActions) : input.allowlistDocument;
  const ownIndex = allowlistAfter ? findAllowlistStatement(allowlistAfter, input.pullActions) : -1;
  const ownStatement =
    allowlist.add.length > 0 && findAllowlistStatement(input.allowlistDocument, input.pullActions) < 0 && ownIndex >= 0
      ? {
          sid: allowlistAfter!.Statement[ownIndex].Sid ?? ALLOWLIST_SID,
          wider: widerPullStatements(input.allowlistDocument, input.pullActions).map((statement) => statement.Sid ?? '(no Sid)'),
        }
      : undefined;
  const ownBefore = findAllowlistStatement(input.allowlistDocument, input.pullActions);
  const emptied =
    ownBefore >= 0 && allowlist.add.length === 0 && allowlist.remove.length > 0 && removable.size > 0 && [...removable].every((arn) => remove.includes(arn))
      ? { sid: input.allowlistDocument!.Statement[ownBefore].Sid ?? '(no Sid)', deletePolicy: allowlistAfter!.Statement.length === 0 }
      : undefined;
  const used = input.otherInlineLength + (allowlistAfter && !emptied?.deletePolicy ? iamPolicyLength(allowlistAfter) : 0);
  if (changesAllowlist && used > INLINE_POLICIES_LIMIT) {
    throw new UserError(
      `reconcile: the inline policies of the role would be ${used} characters (whitespace not counted), over IAM's ${INLINE_POLICIES_LIMIT}. Replace explicit ARNs in ${input.policyName} with a name-prefix wildcard (e.g. ${repositoryArn(input.region, input.registryId, 'molecule-ai/workspace-template-*')}), prune extras (prune: true), or move the allowlist to a managed policy (6,144 each, up to 10 per role). Nothing was written.`,
    );
  }
  return {
    grants,
    allowlist,
    allowlistBefore: input.allowlistDocument,
    allowlistAfter: emptied?.deletePolicy ? undefined : allowlistAfter,
    ownStatement,
    emptied,
    unfixable,
    size: { used, limit: INLINE_POLICIES_LIMIT },
  };
}

export function planHasChanges(plan: ReconcilePlan): boolean {
  return plan.grants.length > 0 || plan.allowlist.add.length > 0 || plan.allowlist.remove.length > 0 || plan.allowlist.addLogin;
}

/** What became of one write of a failed run: undone, never landed, or left for a person. */
export type UndoOutcome = 'not-landed' | 'rolled-back' | 'not-rolled-back';

/** One write a failed reconcile had sent (or was sending), and what became of it: phrased by report/. */
export interface UndoneWrite {
  target:
    { kind: 'grant'; repository: string; registryId: string; region: string; replica: boolean } | { kind: 'allowlist'; roleName: string; policyName: string };
  outcome: UndoOutcome;
}
