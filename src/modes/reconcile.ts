import { deleteInlinePolicy, putInlinePolicy, readInline, roleNameOf } from '../adapters/aws/iam.js';
import { planHasChanges, planReconcile, type ReconcilePlan, type UndoneWrite, type UndoOutcome } from '../domain/plan.js';
import { grantStatement } from '../domain/policy/repository-grant.js';
import type { DocumentsToWrite } from '../report/terraform.js';
import { iamPolicyLength, samePolicyMeaning, type PolicyDocument } from '../domain/policy/document.js';
import { UserError } from '../errors.js';
import { log } from '../log.js';
import { roleProblemText } from '../report/findings.js';
import { emptyReport, type NamedPlan, type PolicyChange, type RunReport, type Warning } from '../report/model.js';
import { formatPlan, undoText } from '../report/plan-text.js';
import { writeAllowlist } from '../services/allowlist.js';
import { applyGrant, undoGrant } from '../services/grant.js';
import type { PlaceSurvey } from '../services/replicas.js';
import type { RepositoryState } from '../services/repositories.js';
import { survey, type PullerSurvey, type Survey } from '../services/survey.js';
import type { ReconcileSettings } from '../settings/settings.js';
import { FailedRun, finish } from './result.js';

type ReconcilePuller = ReconcileSettings['pullers'][number];

/**
 * The documents reconcile owns, as they are once its plans are applied: each puller's allowlist
 * policy, and the one grant statement per expected repository (teams that own IAM as code commit these).
 */
function documentsOf(settings: ReconcileSettings, surveyed: Survey, plans: NamedPlan[]): DocumentsToWrite {
  const allowlists = plans.flatMap((named, index) => {
    const document = named.plan.allowlistAfter;
    return document ? [{ roleArn: surveyed.pullers[index].placed.roleArn, roleName: named.roleName, policyName: named.policyName, document }] : [];
  });
  const { sid, actions } = settings.grant;
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

/** The minimal change that makes every repository a puller must pull pullable, from what the survey read. Pure. */
function planFor(settings: ReconcileSettings, surveyed: Survey, puller: PullerSurvey, policyName: string): ReconcilePlan {
  const allowlist = puller.facts.documents.find((policy) => policy.inlineName === policyName);
  return planReconcile({
    region: settings.registry.region,
    registryId: surveyed.registryId,
    verdicts: puller.verdicts,
    // The login that fails in any region it pulls in (else the first): an allowlist fix must cover every region.
    role: { ...puller.placed.role, login: puller.logins.find(({ login }) => login && login.status !== 'allowed')?.login ?? puller.logins[0]?.login },
    grantPlans: new Map(
      surveyed.places.flatMap((place) => [...place.states.values()].flatMap((state) => (state ? [[state.arn, state.grantPlan] as const] : []))),
    ),
    extra: puller.extra,
    prune: settings.prune,
    pullActions: settings.grant.actions,
    allowlistDocument: allowlist?.document,
    policies: puller.facts.documents.map((policy) => ({ name: policy.name, document: policy.document })),
    otherInlineLength: puller.inlineLength - (allowlist ? iamPolicyLength(allowlist.document) : 0),
    policyName,
  });
}

/** Every puller's grants, once per repository (the grant is the same statement whoever needs it). */
function grantsOf(plans: NamedPlan[]): ReconcilePlan['grants'] {
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

/**
 * An allowlist this run may have written before a write failed: put back as it was (or removed, if it
 * was not there). Read first: a write that never landed needs no undo, and a failed read is said.
 */
async function restoreAllowlist(puller: PullerSurvey, policyName: string, before: PolicyDocument | undefined): Promise<UndoOutcome> {
  const { iam, who } = puller.placed.access;
  try {
    const current = (await readInline(iam, roleNameOf(puller.placed.roleArn), policyName, who))?.document;
    if (samePolicyMeaning(current, before)) return 'not-landed';
    if (before) await putInlinePolicy(iam, puller.placed.roleArn, policyName, before, who);
    else await deleteInlinePolicy(iam, puller.placed.roleArn, policyName, who);
    return 'rolled-back';
  } catch {
    return 'not-rolled-back';
  }
}

/**
 * Writes the plans: each grant once, then each puller's allowlist. A failed write must not leave the
 * run half-applied: every write joins the undo list before it is sent (its answer may be lost after
 * it landed), what landed is put back, and the error names each write and what became of it.
 */
async function apply(
  settings: ReconcileSettings,
  surveyed: Survey,
  plans: { puller: PullerSurvey; policy: ReconcilePuller; named: NamedPlan }[],
  report: RunReport,
): Promise<{ changes: PolicyChange[]; deleted: NamedPlan[] }> {
  const propagation = { timeoutMs: settings.propagationTimeoutMs, log: log.info };
  const changes: PolicyChange[] = [];
  // Every grant this run set out to write, recorded before it is sent; `index`: its entry in `changes` once it returned.
  const grants: { place: PlaceSurvey; repository: string; before: PolicyDocument | undefined; after: PolicyDocument; index: number | undefined }[] = [];
  // Every allowlist this run set out to write, from just before its first write: a failed write may still have landed.
  const allowlists: { puller: PullerSurvey; named: NamedPlan; before: PolicyDocument | undefined; index: number | undefined }[] = [];
  const deleted: NamedPlan[] = [];
  try {
    for (const { arn, repository, plan: grantPlan } of grantsOf(plans.map((item) => item.named))) {
      const found = placeOf(surveyed, arn);
      if (!found) continue;
      const pending = { place: found.place, repository, before: grantPlan.before, after: grantPlan.after, index: undefined as number | undefined };
      grants.push(pending);
      const { change } = await applyGrant(found.place.ecr, settings.grant, found.place.registryId, found.state, propagation);
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
      const written = await writeAllowlist(iam, who, puller.placed.roleArn, policy.policyName, edit, settings.grant.actions, {
        ...propagation,
        settleMs: Math.min(1500, settings.propagationTimeoutMs),
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
    const mark = (index: number | undefined, change: Omit<PolicyChange, 'rolledBack'>, outcome: UndoOutcome): void => {
      if (outcome === 'not-landed' && index === undefined) return;
      const rolledBack = outcome !== 'not-rolled-back';
      if (index !== undefined) changes[index] = { ...changes[index], rolledBack };
      // The write that failed had landed: it is in the report too (put back or not), so it can be undone by hand.
      else changes.push({ ...change, rolledBack });
    };
    // Newest first: the allowlists, then the grants.
    for (const written of [...allowlists].reverse()) {
      const outcome = await restoreAllowlist(written.puller, written.named.policyName, written.before);
      const { roleName, policyName } = written.named;
      undone.push({ target: { kind: 'allowlist', roleName, policyName }, outcome });
      const target = { kind: 'inline-policy' as const, roleName, policyName };
      mark(written.index, { target, before: written.before ?? null, after: written.named.plan.allowlistAfter ?? null, written: true }, outcome);
    }
    for (const written of [...grants].reverse()) {
      const { place, repository, before } = written;
      const { outcome, seen } = await undoGrant(place.ecr, place.registryId, repository, before);
      undone.push({ target: { kind: 'grant', repository, registryId: place.registryId, region: place.region, replica: place.kind === 'replica' }, outcome });
      const target = { kind: 'repository' as const, repository, ...replicaOf(place) };
      mark(written.index, { target, before: before ?? null, after: seen ?? written.after, written: true }, outcome);
    }
    const failure = new UserError(error instanceof UserError ? error.what : error instanceof Error ? error.message : String(error), undoText(undone.reverse()));
    // The report then holds only what was written (and put back, or not), so it can be undone by hand.
    throw changes.length > 0 ? new FailedRun(failure, { ...report, registryId: surveyed.registryId, policyChanges: changes }) : failure;
  }
}

/** A replica's registry and region on a report's change (the registry's own repositories have none). */
function replicaOf(place: PlaceSurvey): { replica?: { region: string; registryId: string } } {
  return place.kind === 'replica' ? { replica: { region: place.region, registryId: place.registryId } } : {};
}

/** reconcile: survey, plan each puller, apply the minimal change, then re-read and re-verify. `dry-run` stops after the plans. */
export async function reconcile(settings: ReconcileSettings): Promise<RunReport> {
  const surveyed = await survey(settings);
  const plans = surveyed.pullers.map((puller, index) => {
    const policy = settings.pullers[index];
    const problem = puller.placed.role.problem;
    if (problem?.kind === 'role-not-found') {
      const input = settings.pullers.length > 1 || policy.name !== roleNameOf(policy.roleArn) ? `pullers (${policy.name})` : 'staging-role-arn';
      throw new UserError(`${input}: ${roleProblemText(problem)} Reconcile does not create roles.`);
    }
    const plan = planFor(settings, surveyed, puller, policy.policyName);
    const named: NamedPlan = { plan, policyName: policy.policyName, roleName: roleNameOf(puller.placed.roleArn), puller: policy.name };
    log.info(formatPlan(plan, named.policyName, named.roleName));
    return { puller, policy, named };
  });
  const named = plans.map((item) => item.named);
  // Extras prune may not remove are a person's to fix: said as warnings too, not only in the plan.
  const unfixable: Warning[] = named.flatMap(({ plan }) =>
    plan.unfixable.filter((item) => item.kind === 'extra-elsewhere').map((item) => ({ kind: 'unfixable' as const, item })),
  );
  const report: RunReport = {
    ...emptyReport('reconcile', settings.registry.region),
    plans: named,
    warnings: unfixable,
    documents: documentsOf(settings, surveyed, named),
  };
  const changes = named.some(({ plan }) => planHasChanges(plan));

  if (settings.dryRun || !changes) {
    const dryRun: Warning[] = settings.dryRun && changes ? [{ kind: 'dry-run' }] : [];
    return finish(report, settings, surveyed, { warnings: dryRun });
  }

  const applied = await log.group('Apply', () => apply(settings, surveyed, plans, report));
  // Re-read everything and judge again: the verdict is what AWS holds now, not what we meant to write.
  // A policy prune deleted on purpose is not "missing": judge the role by what it still has.
  const gone = new Set(applied.deleted.map((plan) => plan.puller));
  const pullers = settings.pullers.map((puller) => (gone.has(puller.name) ? { ...puller, policyName: undefined } : puller));
  const again = await survey({ ...settings, pullers }, surveyed.readers);
  const deleted: Warning[] = applied.deleted.map((plan) => ({ kind: 'policy-deleted', policyName: plan.policyName, roleName: plan.roleName }));
  const granted = new Set(grantsOf(named).map((grant) => grant.arn));
  const added = new Map(named.map((plan) => [plan.puller, new Set(plan.plan.allowlist.add)]));
  const verdicts = again.pullers.flatMap((puller) =>
    puller.verdicts.map((verdict) => ({
      ...verdict,
      grantWritten: granted.has(verdict.arn) && verdict.grant?.status === 'allowed',
      allowlistAdded: verdict.identity?.status === 'allowed' && (added.get(puller.settings.name)?.has(verdict.arn) ?? false),
    })),
  );
  return finish({ ...report, policyChanges: applied.changes }, settings, again, { warnings: deleted, verdicts });
}
