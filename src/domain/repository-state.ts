import { accountOf, regionOf } from './arn.js';
import type { RepositoryState } from './facts.js';
import { asList, type PolicyDocument } from './policy/document.js';
import { grantStatement, planGrant, type OwnedForm } from './policy/repository-grant.js';
import { principalsFor, type GrantSettings } from './pullers.js';

/** The state of a repository whose policy is known (undefined: none), with the grant it would need. */
export function repositoryStateFrom(grant: GrantSettings, arn: string, repository: string, policy: PolicyDocument | undefined): RepositoryState {
  // Whom the owned statement names now: a same-account puller it names keeps its place (settings.ts, principalsFor).
  const owned = policy?.Statement.find((statement) => statement.Sid === grant.sid);
  const named = owned?.Principal && owned.Principal !== '*' ? asList(owned.Principal.AWS).map(String) : [];
  const principals = principalsFor(grant, repository, regionOf(arn), { account: accountOf(arn), named });
  const grantPlan = principals.length > 0 ? planGrant(policy, grantStatement(grant.sid, principals, grant.actions), repository) : undefined;
  return { repository, arn, policy, principals, grantPlan };
}

/** Exactly what the action's own statement on this repository is (whom it names: the state's principals). */
export function ownedOf(grant: GrantSettings, state: Pick<RepositoryState, 'principals'>): OwnedForm {
  return { sid: grant.sid, principals: state.principals, actions: grant.actions, known: grant.principals.length > 0 || grant.pullers !== undefined };
}
