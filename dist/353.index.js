export const id = 353;
export const ids = [353];
export const modules = {

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
