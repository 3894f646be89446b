export const id = 702;
export const ids = [702,353];
export const modules = {

/***/ 9702:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  reconcile: () => (/* binding */ reconcile)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(3360);
// EXTERNAL MODULE: ./src/aws/iam.ts
var aws_iam = __webpack_require__(1084);
// EXTERNAL MODULE: ./src/aws/repository-policy.ts
var repository_policy = __webpack_require__(720);
// EXTERNAL MODULE: ./src/aws/retry.ts
var retry = __webpack_require__(2495);
// EXTERNAL MODULE: ./src/crossaccount.ts
var crossaccount = __webpack_require__(4164);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/policy/allowlist.ts
var policy_allowlist = __webpack_require__(6523);
// EXTERNAL MODULE: ./src/policy/document.ts
var policy_document = __webpack_require__(1561);
;// CONCATENATED MODULE: ./src/drift/plan.ts



/** The minimal change that makes every expected repository pullable: pure, printed before applying. */
function planReconcile(input) {
    const grants = [];
    const add = [];
    const unfixable = [];
    for (const row of input.rows) {
        const plan = input.grantPlans.get(row.repository);
        if (row.grant === 'missing') {
            if (plan?.changes)
                grants.push({ repository: row.repository, plan });
            else
                unfixable.push(`${row.repository}: the repository policy does not grant pull and pull-principals is empty, so reconcile cannot add the grant. Set pull-principals.`);
        }
        else if (row.grant === 'stale principal') {
            // Our own statement is rewritten with current ARNs; a foreign one is left for a person.
            if (plan?.changes)
                grants.push({ repository: row.repository, plan });
            else
                unfixable.push(`${row.repository}: a statement this action does not own names a deleted role by its unique ID; replace it by hand.`);
        }
        else if (row.grant === 'denied' || row.grant === 'conditional' || row.grant === 'no repository') {
            unfixable.push(`${row.repository}: repository side is "${row.grant}"; reconcile does not override that. See the findings.`);
        }
        if (row.identity === 'missing')
            add.push((0,policy_allowlist/* repositoryArn */.qM)(input.region, input.registryId, row.repository));
        else if (row.identity === 'denied' || row.identity === 'conditional') {
            unfixable.push(`${row.repository}: identity side is "${row.identity}"; reconcile does not override a Deny or a Condition. See the findings.`);
        }
    }
    const remove = input.prune ? input.extra.map((name) => (0,policy_allowlist/* repositoryArn */.qM)(input.region, input.registryId, name)) : [];
    const allowlist = { add: add.sort(), remove: remove.sort(), addLogin: input.loginMissing };
    const changesAllowlist = allowlist.add.length > 0 || allowlist.remove.length > 0 || allowlist.addLogin;
    const allowlistAfter = changesAllowlist ? (0,policy_allowlist/* editAllowlist */.KR)(input.allowlistDocument, allowlist, input.pullActions) : input.allowlistDocument;
    const used = input.otherInlineLength + (allowlistAfter ? (0,policy_document/* iamPolicyLength */.AJ)(allowlistAfter) : 0);
    if (changesAllowlist && used > policy_allowlist/* INLINE_POLICIES_LIMIT */.hr) {
        throw new errors/* UserError */.y(`reconcile: the inline policies of the role would be ${used} characters (whitespace not counted), over IAM's ${policy_allowlist/* INLINE_POLICIES_LIMIT */.hr}. Replace explicit ARNs in ${input.policyName} with a name-prefix wildcard (e.g. arn:aws:ecr:${input.region}:${input.registryId}:repository/molecule-ai/workspace-template-*), prune extras (prune: true), or move the allowlist to a managed policy (6,144 each, up to 10 per role). Nothing was written.`);
    }
    return { grants, allowlist, allowlistBefore: input.allowlistDocument, allowlistAfter, unfixable, size: { used, limit: policy_allowlist/* INLINE_POLICIES_LIMIT */.hr } };
}
function planHasChanges(plan) {
    return plan.grants.length > 0 || plan.allowlist.add.length > 0 || plan.allowlist.remove.length > 0 || plan.allowlist.addLogin;
}
/** The plan as a person reads it, like `terraform plan`. */
function formatPlan(plan, policyName, roleName) {
    const lines = [];
    for (const { repository } of plan.grants)
        lines.push(`  + grant      ${repository}: pull statement on its repository policy`);
    for (const arn of plan.allowlist.add)
        lines.push(`  + allowlist  ${arn}`);
    for (const arn of plan.allowlist.remove)
        lines.push(`  - allowlist  ${arn}`);
    if (plan.allowlist.addLogin)
        lines.push(`  + statement  ecr:GetAuthorizationToken on * (docker login)`);
    const percent = Math.round((plan.size.used / plan.size.limit) * 100);
    const header = planHasChanges(plan)
        ? `Plan: ${plan.grants.length} grant(s) to add, ${plan.allowlist.add.length} allowlist ARN(s) to add, ${plan.allowlist.remove.length} to remove (inline policy ${policyName} of role ${roleName}).`
        : 'Plan: no changes. Both sides already allow every expected repository.';
    lines.unshift(header);
    lines.push(`Inline policy size after the change: ${plan.size.used} of ${plan.size.limit} characters (${percent} %), room for about ${Math.max(0, Math.floor((plan.size.limit - plan.size.used) / 85))} more repository ARNs.`);
    for (const problem of plan.unfixable)
        lines.push(`  ! ${problem}`);
    return lines.join('\n');
}

// EXTERNAL MODULE: ./src/staging.ts
var src_staging = __webpack_require__(2246);
// EXTERNAL MODULE: ./src/survey.ts + 1 modules
var survey = __webpack_require__(2435);
// EXTERNAL MODULE: ./src/verify.ts + 1 modules
var verify = __webpack_require__(9353);
;// CONCATENATED MODULE: ./src/reconcile.ts












/** How many times a lost update (another reconcile wrote over ours) is merged and written again. */
const MAX_MERGE_ATTEMPTS = 8;
function plan(inputs, context, policyName) {
    const allowlist = context.staging.documents.find((policy) => policy.inlineName === policyName);
    const otherInlineLength = context.survey.inlineLength - (allowlist ? JSON.stringify(allowlist.document).replace(/\s/g, '').length : 0);
    return planReconcile({
        region: inputs.region,
        registryId: context.registryId,
        rows: context.survey.rows,
        grantPlans: new Map([...context.survey.states].map(([repository, state]) => [repository, state?.grantPlan])),
        extra: context.survey.extra,
        prune: inputs.prune,
        loginMissing: context.survey.roleRow !== undefined && !context.staging.identity.problem,
        pullActions: inputs.pullActions,
        allowlistDocument: allowlist?.document,
        otherInlineLength,
        policyName,
    });
}
/**
 * IAM has no conditional write, so: re-read, merge our edit into what is there now, write, wait
 * until IAM shows it, let a racing writer's write land, and read again. If our entries are gone,
 * another reconcile wrote over them: merge and write again.
 */
async function writeAllowlist(iam, who, roleArn, policyName, edit, pullActions, propagation) {
    const roleName = (0,aws_iam/* roleNameOf */.xZ)(roleArn);
    const read = async () => (await (0,aws_iam/* readInline */.SG)(iam, roleName, policyName, who))?.document;
    const sleep = propagation.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    let firstBefore;
    for (let attempt = 1; attempt <= MAX_MERGE_ATTEMPTS; attempt++) {
        const current = await read();
        if (attempt === 1)
            firstBefore = current;
        if ((0,policy_allowlist/* allowlistShows */.O8)(current, edit, pullActions))
            return { before: firstBefore, after: current };
        const next = (0,policy_allowlist/* editAllowlist */.KR)(current, edit, pullActions);
        await (0,aws_iam/* putInlinePolicy */.x4)(iam, roleArn, policyName, next, who);
        core/* info */.pq(`Wrote inline policy ${policyName} of role ${roleName} (attempt ${attempt}).`);
        // Still the old document: IAM has not caught up yet. Anything else: another writer was here.
        const outcome = await (0,retry/* waitForPropagation */.F)(`iam:GetRolePolicy ${policyName}`, async () => {
            const seen = await read();
            if ((0,policy_allowlist/* allowlistShows */.O8)(seen, edit, pullActions))
                return { done: true, value: 'visible' };
            if (!(0,policy_document/* samePolicyMeaning */._W)(seen, current))
                return { done: true, value: 'overwritten' };
            return { done: false, reason: 'IAM does not show the change yet' };
        }, propagation);
        if (!outcome.done) {
            throw new errors/* UserError */.y(`reconcile: IAM still did not show the change to ${policyName} after ${Math.round(propagation.timeoutMs / 1000)}s. Re-run reconcile (it is idempotent), or raise propagation-timeout.`);
        }
        if (outcome.value === 'visible') {
            await sleep(propagation.settleMs);
            const settled = await read();
            if ((0,policy_allowlist/* allowlistShows */.O8)(settled, edit, pullActions))
                return { before: firstBefore, after: settled };
        }
        core/* info */.pq(`Another writer replaced inline policy ${policyName} after our write; merging again (attempt ${attempt + 1} of ${MAX_MERGE_ATTEMPTS}).`);
    }
    throw new errors/* UserError */.y(`reconcile: inline policy ${policyName} of role ${roleName} kept losing our changes to other writers after ${MAX_MERGE_ATTEMPTS} attempts. Stop the other reconciles and run again.`);
}
/** A failed write must not leave the run half-applied: put back the grants already written, then fail. */
async function rollBack(context, granted, error, report) {
    const cause = error instanceof Error ? error.message : String(error);
    const notRestored = [];
    for (const { repository, before } of granted.reverse()) {
        try {
            await (0,repository_policy/* restoreRepositoryPolicy */.pB)(context.ecr, context.registryId, repository, before);
            const change = report.policyChanges.find((candidate) => candidate.target === `repository:${repository}`);
            if (change)
                change.rolledBack = true;
            core/* info */.pq(`Rolled back the repository policy of ${repository}.`);
        }
        catch {
            notRestored.push(repository);
        }
    }
    const restored = granted.length - notRestored.length;
    const undo = notRestored.length > 0
        ? ` Could not roll back ${notRestored.join(', ')}: restore them by hand from the report's policyChanges.`
        : restored > 0 ? ` The ${restored} grant(s) already written were rolled back; nothing changed.` : ' Nothing was changed.';
    throw new errors/* UserError */.y(`${cause.replace(/ Nothing after this call was written\.$/, '')}${undo}`);
}
/** reconcile: plan, then apply the minimal change, then re-read and re-verify. `dry-run` stops after the plan. */
async function reconcile(inputs, runner, report) {
    if (!inputs.stagingPolicyName) {
        throw new errors/* UserError */.y('staging-policy-name: required in reconcile mode. Name the inline policy that holds the allowlist, e.g. WorkspaceTemplatePrimaryECRPull.');
    }
    const policyName = inputs.stagingPolicyName;
    const context = await (0,verify.surveyTargets)(inputs, runner, report);
    const roleArn = context.staging.identity.roleArn;
    if (context.staging.identity.problem?.includes('does not exist')) {
        throw new errors/* UserError */.y(`staging-role-arn: ${context.staging.identity.problem} Reconcile does not create roles.`);
    }
    const reconcilePlan = plan(inputs, context, policyName);
    const planText = formatPlan(reconcilePlan, policyName, (0,aws_iam/* roleNameOf */.xZ)(roleArn));
    core/* info */.pq(planText);
    report.plan = planText.split('\n');
    if (inputs.dryRun || !planHasChanges(reconcilePlan)) {
        (0,survey/* reportSurvey */.V)(inputs, context.survey, report, context.manifestMode);
        if (inputs.dryRun && planHasChanges(reconcilePlan))
            report.warnings.push('dry-run: nothing was written. Run reconcile without dry-run to apply the plan above.');
        (0,crossaccount/* finishVerdicts */.wB)(report);
        return;
    }
    const propagation = { timeoutMs: inputs.propagationTimeoutMs, log: core/* info */.pq };
    await core/* group */.Os('Apply', async () => {
        const granted = [];
        try {
            for (const { repository, plan: grantPlan } of reconcilePlan.grants) {
                await (0,crossaccount/* applyGrant */.VN)(context.ecr, inputs, context.registryId, context.survey.states.get(repository), report, propagation);
                granted.push({ repository, before: grantPlan.before });
            }
            const edit = reconcilePlan.allowlist;
            if (edit.add.length > 0 || edit.remove.length > 0 || edit.addLogin) {
                const written = await writeAllowlist(context.staging.access.iam, context.staging.access.who, roleArn, policyName, edit, inputs.pullActions, {
                    ...propagation,
                    settleMs: Math.min(1500, inputs.propagationTimeoutMs),
                });
                report.policyChanges.push({ target: `role:${(0,aws_iam/* roleNameOf */.xZ)(roleArn)}/${policyName}`, before: written.before ?? null, after: written.after, written: true });
            }
        }
        catch (error) {
            await rollBack(context, granted, error, report);
        }
    });
    // Re-read everything and judge again: the verdict is what AWS holds now, not what we meant to write.
    const staging = await (0,src_staging/* readStaging */.M)(context.staging.access, inputs);
    const after = await (0,survey/* surveyRepositories */.J)(inputs, context.ecr, context.registryId, staging, context.repositories);
    const granted = new Set(reconcilePlan.grants.map((grant) => grant.repository));
    const added = new Set(reconcilePlan.allowlist.add);
    for (const row of after.rows) {
        if (granted.has(row.repository) && row.grant === 'ok')
            row.grant = 'granted';
        if (row.identity === 'allowed' && added.has(`arn:aws:ecr:${inputs.region}:${context.registryId}:repository/${row.repository}`))
            row.identity = 'added';
    }
    (0,survey/* reportSurvey */.V)(inputs, after, report, context.manifestMode);
    (0,crossaccount/* finishVerdicts */.wB)(report);
}


/***/ }),

/***/ 2435:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  V: () => (/* binding */ reportSurvey),
  J: () => (/* binding */ surveyRepositories)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(3360);
// EXTERNAL MODULE: ./src/aws/repository-policy.ts
var repository_policy = __webpack_require__(720);
// EXTERNAL MODULE: ./src/crossaccount.ts
var crossaccount = __webpack_require__(4164);
// EXTERNAL MODULE: ./src/policy/repository-grant.ts
var repository_grant = __webpack_require__(4003);
// EXTERNAL MODULE: ./src/drift/verdict.ts
var verdict = __webpack_require__(754);
// EXTERNAL MODULE: ./src/policy/allowlist.ts
var allowlist = __webpack_require__(6523);
// EXTERNAL MODULE: ./src/policy/document.ts
var policy_document = __webpack_require__(1561);
;// CONCATENATED MODULE: ./src/util/pool.ts
/** Maps over items with at most `limit` calls in flight, keeping the order of the results. */
async function mapPool(items, limit, map) {
    const results = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await map(items[index], index);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

;// CONCATENATED MODULE: ./src/survey.ts








/** Repository policies are read this many at a time: fast for 500, gentle on ECR's rate limits. */
const READ_CONCURRENCY = 16;
function missingRepositoryRow(inputs, registryId, repository, staging) {
    const identity = (0,verdict/* judgeIdentity */.Ec)((0,allowlist/* repositoryArn */.qM)(inputs.region, registryId, repository), staging.identity, inputs.pullActions);
    return {
        repository,
        grant: 'no repository',
        identity: identity.status === 'ok' ? 'allowed' : identity.status,
        verdict: 'drift',
        findings: [`the repository does not exist in registry ${registryId} (${inputs.region}), so there is nothing to pull. Publish it (create-repository: true), or remove it from the manifest.`, ...identity.findings],
    };
}
async function surveyRepositories(inputs, ecr, registryId, staging, repositories) {
    const states = new Map();
    await core/* group */.Os(`Read ${repositories.length} repository polic${repositories.length === 1 ? 'y' : 'ies'} in registry ${registryId}`, async () => {
        await mapPool(repositories, READ_CONCURRENCY, async (repository) => {
            try {
                states.set(repository, await (0,crossaccount/* readRepositoryState */.k0)(ecr, inputs, registryId, repository));
            }
            catch (error) {
                if (!(error instanceof repository_policy/* RepositoryNotFoundError */.wN))
                    throw error;
                states.set(repository, undefined);
            }
        });
        core/* info */.pq(`Read ${states.size} repositories.`);
    });
    const foreignFindings = [];
    const rows = repositories.map((repository) => {
        const state = states.get(repository);
        if (!state)
            return missingRepositoryRow(inputs, registryId, repository, staging);
        foreignFindings.push(...(0,repository_grant/* publicGrantFindings */._S)(state.policy, inputs.policySid, repository));
        return (0,crossaccount/* judgeRepository */.e2)(inputs, state, state.policy, staging.identity, undefined);
    });
    const entries = (0,allowlist/* allowlistEntries */.C1)(staging.documents.map((policy) => policy.document), inputs.region, registryId, inputs.pullActions);
    const expected = new Set(repositories);
    const inlineLength = staging.documents.filter((policy) => policy.inlineName).reduce((sum, policy) => sum + (0,policy_document/* iamPolicyLength */.AJ)(policy.document), 0);
    return {
        states,
        rows,
        roleRow: (0,crossaccount/* judgeRole */.CK)(staging.identity),
        extra: entries.explicit.filter((name) => !expected.has(name)),
        wildcards: entries.wildcards.map((pattern) => ({ pattern, covers: (0,allowlist/* coveredBy */.UJ)(pattern, repositories, inputs.region, registryId) })),
        inlineLength,
        foreignFindings,
    };
}
/** What every survey reports the same way: extras per on-extra, wildcards, the size of the allowlist. */
function reportSurvey(inputs, survey, report, manifestMode) {
    report.rows.push(...survey.rows);
    if (survey.roleRow)
        report.rows.push(survey.roleRow);
    report.warnings.push(...survey.foreignFindings);
    for (const { pattern, covers } of survey.wildcards) {
        core/* info */.pq(`Wildcard ${pattern} in the allowlist covers ${covers.length} expected repositor${covers.length === 1 ? 'y' : 'ies'}${covers.length > 0 ? `: ${covers.join(', ')}` : ''}.`);
    }
    if (manifestMode) {
        report.extra = survey.extra;
        if (survey.extra.length > 0 && inputs.onExtra !== 'ignore') {
            const message = `the allowlist names ${survey.extra.length} repositor${survey.extra.length === 1 ? 'y' : 'ies'} that the manifest does not expect: ${survey.extra.join(', ')}. Remove them (mode: reconcile with prune: true), or add them to the manifest or extra-repositories.`;
            if (inputs.onExtra === 'fail')
                report.rows.push({ repository: '(extra)', grant: '-', identity: 'extra', verdict: 'drift', findings: [message] });
            else
                report.warnings.push(message);
        }
    }
    if (survey.inlineLength > 0.8 * allowlist/* INLINE_POLICIES_LIMIT */.hr) {
        report.warnings.push(`the inline policies of the staging role use ${survey.inlineLength} of IAM's ${allowlist/* INLINE_POLICIES_LIMIT */.hr} characters (${Math.round((survey.inlineLength / allowlist/* INLINE_POLICIES_LIMIT */.hr) * 100)} %), room for about ${Math.floor((allowlist/* INLINE_POLICIES_LIMIT */.hr - survey.inlineLength) / 85)} more repository ARNs. Switch to a name-prefix wildcard or a managed policy before it is full.`);
    }
}


/***/ }),

/***/ 9353:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  resolveRegistryId: () => (/* binding */ resolveRegistryId),
  surveyTargets: () => (/* binding */ surveyTargets),
  targetRepositories: () => (/* binding */ targetRepositories),
  verify: () => (/* binding */ verify)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(3360);
// EXTERNAL MODULE: ./src/aws/clients.ts
var clients = __webpack_require__(201);
// EXTERNAL MODULE: ./src/aws/ecr.ts
var aws_ecr = __webpack_require__(8663);
// EXTERNAL MODULE: ./src/crossaccount.ts
var crossaccount = __webpack_require__(4164);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/inputs.ts
var inputs = __webpack_require__(8422);
;// CONCATENATED MODULE: ./src/drift/manifest.ts



/** Reads the template manifest; every failure names the file and what was expected. */
function readManifestFile(path) {
    let text;
    try {
        text = (0,external_node_fs_.readFileSync)(path, 'utf8');
    }
    catch (error) {
        const code = error.code ?? 'unreadable';
        throw new errors/* UserError */.y(`manifest: cannot read "${path}" (${code}). Give the path of the manifest JSON, relative to the workspace (check out the platform repository first).`);
    }
    try {
        return JSON.parse(text);
    }
    catch (error) {
        throw new errors/* UserError */.y(`manifest: "${path}" is not valid JSON (${error.message}).`);
    }
}
function valueAt(document, dottedPath) {
    let value = document;
    for (const key of dottedPath.split('.')) {
        if (typeof value !== 'object' || value === null || Array.isArray(value) || !(key in value))
            return undefined;
        value = value[key];
    }
    return value;
}
function fill(template, fields, where) {
    return template.replace(/\{([^{}]+)\}/g, (_, field) => {
        const value = fields[field];
        if (typeof value !== 'string' && typeof value !== 'number') {
            throw new errors/* UserError */.y(`${where} has no string field "${field}", which repository-template "${template}" uses. Add it, or change repository-template.`);
        }
        return String(value);
    });
}
/**
 * Expected repositories: every manifest entry mapped through the template, plus the extras.
 * Entries may be strings (`{name}` is the string) or objects (`{field}` is any of their fields).
 */
function expectedRepositories(manifest, path, key, template, extras) {
    const list = valueAt(manifest, key);
    if (list === undefined)
        throw new errors/* UserError */.y(`manifest: "${path}" has no "${key}". Set manifest-key to the dotted path of the list of templates.`);
    if (!Array.isArray(list))
        throw new errors/* UserError */.y(`manifest: "${key}" in "${path}" is ${typeof list}, not a list of templates.`);
    const names = list.map((entry, index) => {
        const where = `manifest: entry ${index} of "${key}" in "${path}" (${JSON.stringify(entry)})`;
        let fields;
        if (typeof entry === 'string')
            fields = { name: entry };
        else if (typeof entry === 'object' && entry !== null && !Array.isArray(entry))
            fields = entry;
        else
            throw new errors/* UserError */.y(`${where} is neither a string nor an object.`);
        const repository = fill(template, fields, where);
        const problem = (0,inputs/* repositoryNameProblem */.LB)(repository);
        if (problem)
            throw new errors/* UserError */.y(`${where} maps to "${repository}", which is not a valid ECR repository name: it ${problem}.`);
        return repository;
    });
    return [...new Set([...names, ...extras])].sort();
}

// EXTERNAL MODULE: ./src/staging.ts
var src_staging = __webpack_require__(2246);
// EXTERNAL MODULE: ./src/survey.ts + 1 modules
var src_survey = __webpack_require__(2435);
;// CONCATENATED MODULE: ./src/verify.ts








/** The registry account: given, or the one the current credentials' ECR token is for. */
async function resolveRegistryId(ecr, inputs) {
    if (inputs.registryId)
        return inputs.registryId;
    const registry = await (0,aws_ecr/* getRegistryAuthorization */.JC)(ecr, undefined);
    core/* setSecret */.Pq(registry.password);
    return registry.registryId;
}
/** One repository (`repository`), or every one the manifest expects plus `extra-repositories`. */
function targetRepositories(inputs) {
    if (inputs.repository)
        return { repositories: [inputs.repository], manifestMode: false };
    if (!inputs.manifest) {
        throw new errors/* UserError */.y(`repository / manifest: ${inputs.mode} needs one of them. Give \`repository:\` for one repository, or \`manifest:\` for every repository the template manifest lists.`);
    }
    const manifest = readManifestFile(inputs.manifest);
    return { repositories: expectedRepositories(manifest, inputs.manifest, inputs.manifestKey, inputs.repositoryTemplate, inputs.extraRepositories), manifestMode: true };
}
/** Reads both sides of every target repository: shared by verify and reconcile. Writes nothing. */
async function surveyTargets(inputs, runner, report) {
    if (!inputs.stagingRoleArn) {
        throw new errors/* UserError */.y(`staging-role-arn: required in ${inputs.mode} mode. Name the role that pulls, e.g. arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging.`);
    }
    const { repositories, manifestMode } = targetRepositories(inputs);
    core/* info */.pq(`Expected: ${repositories.length} repositor${repositories.length === 1 ? 'y' : 'ies'}.`);
    const ecr = await (0,clients/* createEcrClient */.yv)(inputs.region);
    const registryId = await resolveRegistryId(ecr, inputs);
    report.registryId = registryId;
    const subject = manifestMode ? 'manifest' : inputs.repository;
    const staging = await (0,src_staging/* readStaging */.M)(await (0,src_staging/* stagingAccess */.k)(inputs, runner, subject), inputs);
    const survey = await (0,src_survey/* surveyRepositories */.J)(inputs, ecr, registryId, staging, repositories);
    return { ecr, registryId, staging, repositories, manifestMode, survey };
}
/** verify: both sides of the cross-account pull for one repository or the whole manifest; no writes. */
async function verify(inputs, runner, report) {
    const context = await surveyTargets(inputs, runner, report);
    (0,src_survey/* reportSurvey */.V)(inputs, context.survey, report, context.manifestMode);
    await (0,crossaccount/* crossCheckWithSimulator */.h2)(inputs, context.staging, context.survey.rows.map((row) => ({ row, arn: `arn:aws:ecr:${inputs.region}:${context.registryId}:repository/${row.repository}` })), report);
    (0,crossaccount/* finishVerdicts */.wB)(report);
}


/***/ })

};
