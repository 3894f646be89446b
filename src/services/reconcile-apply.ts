import type { ECRClient } from '@aws-sdk/client-ecr';
import type { IAMClient } from '@aws-sdk/client-iam';
import { deleteInlinePolicy, putInlinePolicy, readInline } from '../adapters/aws/iam.js';
import { roleNameOf } from '../domain/arn.js';
import { planHasChanges, planReconcile, type ReconcilePlan, type UndoneWrite, type UndoOutcome } from '../domain/plan.js';
import { iamPolicyLength, samePolicyMeaning, type PolicyDocument } from '../domain/policy/document.js';
import { grantStatement } from '../domain/policy/repository-grant.js';
import type { GrantSettings, PullerSettings } from '../domain/pullers.js';
import type { PolicyChange, Warning } from '../domain/results.js';
import { UserError } from '../errors.js';
import { log } from '../log.js';
import { writeAllowlist } from './allowlist.js';
import { applyGrant, undoGrant, type WriteFate } from './grant.js';
import type { PlaceSurvey } from './replicas.js';
import type { RepositoryState } from './repositories.js';
import type { PullerSurvey, Survey } from './survey.js';

/** What reconcile's plans and writes read of its settings (settings/settings.ts ReconcileSettings is one). */
export interface ReconcileOrder {
  registry: { region: string };
  grant: GrantSettings;
  pullers: (PullerSettings & { policyName: string })[];
  prune: boolean;
  propagationTimeoutMs: number;
}

/** One puller's plan and the names it is phrased with (report/model.ts NamedPlan). */
export interface PullerPlan {
  plan: ReconcilePlan;
  policyName: string;
  roleName: string;
  puller: string;
}

/** A puller as the run read it, its settings and its plan. */
export interface PlannedPuller {
  puller: PullerSurvey;
  policy: ReconcileOrder['pullers'][number];
  named: PullerPlan;
}

/** The minimal change that makes every repository a puller must pull pullable, from what the survey read. Pure. */
export function planPuller(order: ReconcileOrder, surveyed: Survey, puller: PullerSurvey, policy: ReconcileOrder['pullers'][number]): PlannedPuller {
  const policyName = policy.policyName;
  const allowlist = puller.facts.documents.find((document) => document.inlineName === policyName);
  const plan = planReconcile({
    region: order.registry.region,
    registryId: surveyed.registryId,
    verdicts: puller.verdicts,
    // The login that fails in any region it pulls in (else the first): an allowlist fix must cover every region.
    role: { ...puller.placed.role, login: puller.logins.find(({ login }) => login && login.status !== 'allowed')?.login ?? puller.logins[0]?.login },
    grantPlans: new Map(
      surveyed.places.flatMap((place) => [...place.states.values()].flatMap((state) => (state ? [[state.arn, state.grantPlan] as const] : []))),
    ),
    extra: puller.extra,
    prune: order.prune,
    pullActions: order.grant.actions,
    allowlistDocument: allowlist?.document,
    policies: puller.facts.documents.map((document) => ({ name: document.name, document: document.document })),
    otherInlineLength: puller.inlineLength - (allowlist ? iamPolicyLength(allowlist.document) : 0),
    policyName,
  });
  return { puller, policy, named: { plan, policyName, roleName: roleNameOf(puller.placed.roleArn), puller: policy.name } };
}

/** Whether any plan writes anything. */
export function plansChange(plans: PullerPlan[]): boolean {
  return plans.some(({ plan }) => planHasChanges(plan));
}

/** Extras prune may not remove are a person's to fix: said as warnings too, not only in the plan. */
export function unfixableWarnings(plans: PullerPlan[]): Warning[] {
  return plans.flatMap(({ plan }) => plan.unfixable.filter((item) => item.kind === 'extra-elsewhere').map((item) => ({ kind: 'unfixable' as const, item })));
}

/**
 * The documents reconcile owns, as they are once its plans are applied: each puller's allowlist
 * policy, and the one grant statement per expected repository (teams that own IAM as code commit these).
 */
export function documentsOf(order: ReconcileOrder, surveyed: Survey, plans: PullerPlan[]) {
  const allowlists = plans.flatMap((named, index) => {
    const document = named.plan.allowlistAfter;
    return document ? [{ roleArn: surveyed.pullers[index].placed.roleArn, roleName: named.roleName, policyName: named.policyName, document }] : [];
  });
  const { sid, actions } = order.grant;
  // Only repositories that exist: reconcile writes no grant on one that does not (and IaC would create it elsewhere).
  const grants = [...surveyed.states.entries()].flatMap(([repository, state]) => {
    if (!state) return [];
    // The principals the survey's grant plan names (same-account pullers left out there).
    const principals = state.principals;
    return principals.length === 0 ? [] : [{ repository, sid, statement: grantStatement(sid, principals, actions) }];
  });
  // Replicas read by the survey carry a grant of their own (replication copies images, not policies).
  const replicas = surveyed.places.flatMap((place) =>
    place.kind !== 'replica'
      ? []
      : [...place.states.entries()].flatMap(([repository, state]) => {
          const principals = state ? state.principals : [];
          const replica = { region: place.region, registryId: place.registryId };
          return principals.length === 0 ? [] : [{ repository, replica, sid, statement: grantStatement(sid, principals, actions) }];
        }),
  );
  return { allowlists, grants: [...grants, ...replicas] };
}

/** Every puller's grants, once per repository (the grant is the same statement whoever needs it). */
export function grantsOf(plans: PullerPlan[]): ReconcilePlan['grants'] {
  const grants = new Map<string, ReconcilePlan['grants'][number]>();
  for (const { plan } of plans) for (const grant of plan.grants) if (!grants.has(grant.arn)) grants.set(grant.arn, grant);
  return [...grants.values()];
}

/** The registry a repository ARN is in, and what was read of it there. */
function placeOf(surveyed: Survey, arn: string): { place: PlaceSurvey; state: RepositoryState } | undefined {
  for (const place of surveyed.places) {
    for (const state of place.states.values()) if (state?.arn === arn) return { place, state };
  }
  return undefined;
}

/** A replica's registry and region on a report's change (the registry's own repositories have none). */
function replicaOf(place: Pick<PlaceSurvey, 'kind' | 'region' | 'registryId'>): { replica?: { region: string; registryId: string } } {
  return place.kind === 'replica' ? { replica: { region: place.region, registryId: place.registryId } } : {};
}

/**
 * An allowlist this run may have written before a write failed: put back as it was (or removed, if it
 * was not there). Read first: a write that never landed needs no undo, and a failed read is said.
 */
export async function restoreAllowlist(
  access: { iam: IAMClient; who: string },
  roleArn: string,
  policyName: string,
  before: PolicyDocument | undefined,
  write: WriteFate = 'lost',
): Promise<UndoOutcome> {
  const { iam, who } = access;
  let readAsBefore = false;
  try {
    readAsBefore = samePolicyMeaning((await readInline(iam, roleNameOf(roleArn), policyName, who))?.document, before);
  } catch {
    // Unknown whether it landed: a refused write did not; any other is restored below.
    if (write === 'refused') return 'not-landed';
  }
  if (write === 'refused' && readAsBefore) return 'not-landed';
  // Otherwise restored even when the read shows the policy as it was: IAM's reads are eventually
  // consistent, a write whose answer was lost may show later, and only a restore IAM accepts proves it.
  try {
    if (before) await putInlinePolicy(iam, roleArn, policyName, before, who);
    else await deleteInlinePolicy(iam, roleArn, policyName, who);
  } catch {
    // The restore failed too (AWS keeps failing): for a write whose answer was lost, what the read showed is all there is to say.
    return write === 'lost' && readAsBefore ? 'not-landed' : 'not-rolled-back';
  }
  return write === 'lost' && readAsBefore ? 'not-landed' : 'rolled-back';
}

/** What applying the plans did: the changes (and the allowlists prune deleted), or why it stopped and what became of each write. */
export type Applied =
  | { failed?: undefined; changes: PolicyChange[]; deleted: PullerPlan[] }
  | { failed: { what: string; undone: UndoneWrite[] }; changes: PolicyChange[]; deleted: PullerPlan[] };

/** Where each write goes: ECR (a registry or replica) and IAM (a puller's account), as the survey opened them. */
type GrantPlace = Pick<PlaceSurvey, 'kind' | 'region' | 'registryId'> & { ecr: ECRClient };

/**
 * Writes the plans: each grant once, then each puller's allowlist. A failed write must not leave the
 * run half-applied: every write joins the undo list before it is sent (its answer may be lost after
 * it landed), what landed is put back, and the result names each write and what became of it.
 */
export async function applyPlans(order: ReconcileOrder, surveyed: Survey, plans: PlannedPuller[]): Promise<Applied> {
  const propagation = { timeoutMs: order.propagationTimeoutMs, log: log.info };
  const changes: PolicyChange[] = [];
  // Every grant this run set out to write, recorded before it is sent; `index`: its entry in `changes` once it returned.
  const grants: { place: GrantPlace; repository: string; before: PolicyDocument | undefined; after: PolicyDocument; index: number | undefined }[] = [];
  // Every allowlist this run set out to write, from just before its first write: a failed write may still have landed.
  const allowlists: { puller: PullerSurvey; named: PullerPlan; before: PolicyDocument | undefined; index: number | undefined }[] = [];
  const deleted: PullerPlan[] = [];
  try {
    for (const { arn, repository, plan: grantPlan } of grantsOf(plans.map((item) => item.named))) {
      const found = placeOf(surveyed, arn);
      if (!found) continue;
      const pending = { place: found.place, repository, before: grantPlan.before, after: grantPlan.after, index: undefined as number | undefined };
      grants.push(pending);
      const { change } = await applyGrant(found.place.ecr, order.grant, found.place.registryId, found.state, propagation);
      if (change?.target.kind === 'repository') {
        pending.index = changes.length;
        changes.push({ ...change, target: { ...change.target, ...replicaOf(found.place) } });
      }
    }
    for (const { puller, policy, named } of plans) {
      const edit = named.plan.allowlist;
      if (edit.add.length === 0 && edit.remove.length === 0 && !edit.addLogin) continue;
      const { iam, who } = puller.placed.access;
      const pending = { puller, named, before: named.plan.allowlistBefore, index: undefined as number | undefined };
      allowlists.push(pending);
      const written = await writeAllowlist(iam, who, puller.placed.roleArn, policy.policyName, edit, order.grant.actions, {
        ...propagation,
        settleMs: Math.min(1500, order.propagationTimeoutMs),
      });
      const target = { kind: 'inline-policy' as const, roleName: named.roleName, policyName: policy.policyName };
      const changed = !samePolicyMeaning(written.before, written.after);
      Object.assign(pending, { before: written.before, index: changes.length });
      changes.push({ target, before: written.before ?? null, after: written.after ?? null, written: changed });
      if (written.after === undefined) deleted.push(named);
    }
    return { changes, deleted };
  } catch (error) {
    const undone: UndoneWrite[] = [];
    // AWS answered the failed call with a refusal: the write in flight changed nothing, and a read that
    // shows its policy as it was is believed. A write that returned, or one whose answer was lost (a
    // 5xx, the network), is restored: only a restore AWS accepts proves the policy is as before.
    const refused = error instanceof UserError && error.refusedByAws;
    const fate = (index: number | undefined): WriteFate => (index !== undefined ? 'returned' : refused ? 'refused' : 'lost');
    const mark = (index: number | undefined, change: Omit<PolicyChange, 'rolledBack'>, outcome: UndoOutcome): void => {
      if (outcome === 'not-landed' && index === undefined) return;
      const rolledBack = outcome !== 'not-rolled-back';
      if (index !== undefined) changes[index] = { ...changes[index], rolledBack };
      // The write that failed had landed: it is in the report too (put back or not), so it can be undone by hand.
      else changes.push({ ...change, rolledBack });
    };
    // Newest first: the allowlists, then the grants.
    for (const written of [...allowlists].reverse()) {
      const outcome = await restoreAllowlist(
        written.puller.placed.access,
        written.puller.placed.roleArn,
        written.named.policyName,
        written.before,
        fate(written.index),
      );
      const { roleName, policyName } = written.named;
      undone.push({ target: { kind: 'allowlist', roleName, policyName }, outcome });
      const target = { kind: 'inline-policy' as const, roleName, policyName };
      mark(written.index, { target, before: written.before ?? null, after: written.named.plan.allowlistAfter ?? null, written: true }, outcome);
    }
    for (const written of [...grants].reverse()) {
      const { place, repository, before } = written;
      const { outcome, seen } = await undoGrant(place.ecr, place.registryId, repository, before, fate(written.index));
      undone.push({ target: { kind: 'grant', repository, registryId: place.registryId, region: place.region, replica: place.kind === 'replica' }, outcome });
      const target = { kind: 'repository' as const, repository, ...replicaOf(place) };
      mark(written.index, { target, before: before ?? null, after: seen ?? written.after, written: true }, outcome);
    }
    const what = error instanceof UserError ? error.what : error instanceof Error ? error.message : String(error);
    // The report then holds only what was written (and put back, or not), so it can be undone by hand.
    return { failed: { what, undone: undone.reverse() }, changes, deleted };
  }
}

/**
 * After the writes, the pullers to read again: a policy prune deleted on purpose is not "missing"
 * (the role is judged by what it still has).
 */
export function pullersToReread(pullers: ReconcileOrder['pullers'], deleted: PullerPlan[]): PullerSettings[] {
  const gone = new Set(deleted.map((plan) => plan.puller));
  return pullers.map((puller) => (gone.has(puller.name) ? { ...puller, policyName: undefined } : puller));
}

/** The verdicts read again, each saying whether this run's grant or allowlist write made it pullable. */
export function verdictsAfterApply(again: Survey, plans: PullerPlan[]) {
  const granted = new Set(grantsOf(plans).map((grant) => grant.arn));
  const added = new Map(plans.map((plan) => [plan.puller, new Set(plan.plan.allowlist.add)]));
  return again.pullers.flatMap((puller) =>
    puller.verdicts.map((verdict) => ({
      ...verdict,
      grantWritten: granted.has(verdict.arn) && verdict.grant?.status === 'allowed',
      allowlistAdded: verdict.identity?.status === 'allowed' && (added.get(puller.settings.name)?.has(verdict.arn) ?? false),
    })),
  );
}

/** A policy prune deleted, said as a warning. */
export function deletedWarnings(deleted: PullerPlan[]): Warning[] {
  return deleted.map((plan) => ({ kind: 'policy-deleted', policyName: plan.policyName, roleName: plan.roleName }));
}
