export const id = 165;
export const ids = [165];
export const modules = {

/***/ 201:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L7: () => (/* binding */ createIamClient),
/* harmony export */   O8: () => (/* binding */ roleSessionName),
/* harmony export */   xw: () => (/* binding */ assumedRoleCredentials),
/* harmony export */   yv: () => (/* binding */ createEcrClient)
/* harmony export */ });
/**
 * SDK clients, created on first use: importing a client costs start-up time, and `verify` of the
 * manifest needs no ECR build path while `publish` without a staging role needs no IAM.
 * Endpoints come from the SDK's own AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables.
 * Retries are the SDK's: adaptive mode unless AWS_RETRY_MODE / AWS_MAX_ATTEMPTS say otherwise.
 */
function retryConfig(env = process.env) {
    const attempts = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? '', 10);
    return { retryMode: env.AWS_RETRY_MODE || 'adaptive', maxAttempts: Number.isFinite(attempts) && attempts > 0 ? attempts : 5 };
}
const USER_AGENT = [['publish-image', '0.1.0']];
async function createEcrClient(region) {
    const { ECRClient } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 8249, 19));
    return new ECRClient({ region, customUserAgent: USER_AGENT, ...retryConfig() });
}
/** IAM is global; its endpoint lives in us-east-1 for the aws partition. */
async function createIamClient(credentials) {
    const { IAMClient } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 6764, 19));
    return new IAMClient({ region: 'us-east-1', credentials, customUserAgent: USER_AGENT, ...retryConfig() });
}
/** Credentials of a role assumed in the staging account (static keys chain into it: Gitea has no OIDC). */
async function assumedRoleCredentials(roleArn, sessionName, region, externalId) {
    const { fromTemporaryCredentials } = await __webpack_require__.e(/* import() */ 719).then(__webpack_require__.t.bind(__webpack_require__, 9719, 19));
    return fromTemporaryCredentials({
        params: { RoleArn: roleArn, RoleSessionName: sessionName, ExternalId: externalId, DurationSeconds: 900 },
        clientConfig: { region, customUserAgent: USER_AGENT, ...retryConfig() },
    });
}
/** A session name that says which repository and run asked (visible in CloudTrail). Max 64 chars. */
function roleSessionName(repository, runId) {
    const parts = ['publish-image', repository?.replace(/\//g, '.'), runId].filter(Boolean).join('-');
    return parts.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}


/***/ }),

/***/ 8663:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   JC: () => (/* binding */ getRegistryAuthorization),
/* harmony export */   MD: () => (/* binding */ describeRepository),
/* harmony export */   p: () => (/* binding */ existingTags),
/* harmony export */   vB: () => (/* binding */ createRepository)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8249);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9378);



/** ECR's token is base64("AWS:<password>"); the caller masks the password before anything prints. */
async function getRegistryAuthorization(ecr, registryId) {
    const response = await (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .awsCall */ .uF)('ecr:GetAuthorizationToken', () => ecr.send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_2__/* .GetAuthorizationTokenCommand */ .Eu6(registryId ? { registryIds: [registryId] } : {})));
    const data = response.authorizationData?.[0];
    if (!data?.authorizationToken || !data.proxyEndpoint)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y('ecr:GetAuthorizationToken returned no token.');
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    const host = new URL(data.proxyEndpoint).host;
    return {
        registryId: registryId ?? host.split('.')[0],
        registryUrl: data.proxyEndpoint,
        host,
        username: decoded.slice(0, separator),
        password: decoded.slice(separator + 1),
    };
}
async function describeRepository(ecr, registryId, name) {
    try {
        const response = await ecr.send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_2__/* .DescribeRepositoriesCommand */ .pE_({ registryId, repositoryNames: [name] }));
        const repository = response.repositories?.[0];
        if (!repository?.repositoryArn || !repository.repositoryUri)
            return undefined;
        return {
            arn: repository.repositoryArn,
            uri: repository.repositoryUri,
            immutableTags: (repository.imageTagMutability ?? 'MUTABLE').startsWith('IMMUTABLE'),
        };
    }
    catch (error) {
        if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .isAwsError */ .m_)(error, 'RepositoryNotFoundException'))
            return undefined;
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeAwsError */ .Pp)(error, 'ecr:DescribeRepositories');
    }
}
async function createRepository(ecr, registryId, name, settings) {
    const response = await (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .awsCall */ .uF)('ecr:CreateRepository', () => ecr.send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_2__/* .CreateRepositoryCommand */ .WTe({
        registryId,
        repositoryName: name,
        imageTagMutability: settings.immutableTags ? 'IMMUTABLE' : 'MUTABLE',
        imageScanningConfiguration: { scanOnPush: settings.scanOnPush },
    })));
    const repository = response.repository;
    if (!repository?.repositoryArn || !repository.repositoryUri)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`ecr:CreateRepository returned no repository for ${name}.`);
    return { arn: repository.repositoryArn, uri: repository.repositoryUri, immutableTags: settings.immutableTags };
}
/** Which of `tags` already exist in the repository (to refuse an immutable overwrite before building). */
async function existingTags(ecr, registryId, repository, tags) {
    if (tags.length === 0)
        return [];
    const response = await (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .awsCall */ .uF)('ecr:BatchGetImage', () => ecr.send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_2__/* .BatchGetImageCommand */ .P8n({
        registryId,
        repositoryName: repository,
        imageIds: tags.map((imageTag) => ({ imageTag })),
        acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'],
    })));
    return (response.images ?? []).map((image) => image.imageId?.imageTag).filter((tag) => Boolean(tag));
}


/***/ }),

/***/ 9378:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Pp: () => (/* binding */ describeAwsError),
/* harmony export */   m_: () => (/* binding */ isAwsError),
/* harmony export */   uF: () => (/* binding */ awsCall)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredToken', 'ExpiredTokenException']);
/**
 * Turns an SDK error into one line that says which call failed, why, and what to do. `permission`
 * is the IAM action the call needs (e.g. `ecr:SetRepositoryPolicy`); `who` says which credentials.
 */
function describeAwsError(error, permission, who = 'the current credentials') {
    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y)
        return error;
    const aws = error;
    const code = aws.name ?? 'Error';
    const detail = (aws.message ?? String(error)).split('\n')[0];
    if (DENIED.has(code) || aws.$metadata?.httpStatusCode === 403) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`${permission} was denied for ${who} (${code}: ${detail}). Allow ${permission} on that identity (see "IAM permissions" in the README).`);
    }
    if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(detail)) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`AWS credentials: none found for ${permission} (${detail}). Configure AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a role before this step.`);
    }
    const attempts = aws.$metadata?.attempts ?? 1;
    const retried = attempts > 1 ? ` after ${attempts} attempts` : '';
    return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`${permission} failed${retried} (${code}: ${detail}). AWS or the network is failing; re-run the job later. Nothing after this call was written.`);
}
function isAwsError(error, ...names) {
    return names.includes(error?.name ?? '');
}
/** Calls AWS and converts any failure into a UserError naming the permission. */
async function awsCall(permission, call, who) {
    try {
        return await call();
    }
    catch (error) {
        throw describeAwsError(error, permission, who);
    }
}


/***/ }),

/***/ 1084:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   SG: () => (/* binding */ readInline),
/* harmony export */   iU: () => (/* binding */ readStagingIdentity),
/* harmony export */   x4: () => (/* binding */ putInlinePolicy),
/* harmony export */   xZ: () => (/* binding */ roleNameOf)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6764);
/* harmony import */ var _policy_document_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1561);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9378);



function roleNameOf(roleArn) {
    return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}
async function roleExists(iam, roleName, who) {
    try {
        await iam.send(new _aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_2__/* .GetRoleCommand */ .kbp({ RoleName: roleName }));
        return true;
    }
    catch (error) {
        if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .isAwsError */ .m_)(error, 'NoSuchEntity', 'NoSuchEntityException'))
            return false;
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeAwsError */ .Pp)(error, 'iam:GetRole', who);
    }
}
async function readInline(iam, roleName, policyName, who) {
    try {
        const response = await iam.send(new _aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_2__/* .GetRolePolicyCommand */ .WHQ({ RoleName: roleName, PolicyName: policyName }));
        const name = `inline policy ${policyName}`;
        return { name, inlineName: policyName, document: (0,_policy_document_js__WEBPACK_IMPORTED_MODULE_0__/* .parsePolicy */ .ON)((0,_policy_document_js__WEBPACK_IMPORTED_MODULE_0__/* .decodeIamDocument */ .xq)(response.PolicyDocument ?? ''), `${name} of role ${roleName}`) };
    }
    catch (error) {
        if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .isAwsError */ .m_)(error, 'NoSuchEntity', 'NoSuchEntityException'))
            return undefined;
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeAwsError */ .Pp)(error, 'iam:GetRolePolicy', who);
    }
}
async function readManaged(iam, policyArn, roleName, who) {
    const policy = await (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .awsCall */ .uF)('iam:GetPolicy', () => iam.send(new _aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_2__/* .GetPolicyCommand */ .s4W({ PolicyArn: policyArn })), who);
    const version = await (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .awsCall */ .uF)('iam:GetPolicyVersion', () => iam.send(new _aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_2__/* .GetPolicyVersionCommand */ .G45({ PolicyArn: policyArn, VersionId: policy.Policy?.DefaultVersionId })), who);
    const name = `managed policy ${policyArn}`;
    return { name, document: (0,_policy_document_js__WEBPACK_IMPORTED_MODULE_0__/* .parsePolicy */ .ON)((0,_policy_document_js__WEBPACK_IMPORTED_MODULE_0__/* .decodeIamDocument */ .xq)(version.PolicyVersion?.Document ?? ''), `${name} attached to role ${roleName}`) };
}
/**
 * Everything that grants the role permissions by identity: every inline policy and the default
 * version of every attached managed policy (paginated). A missing role or named policy is drift.
 */
async function readStagingIdentity(iam, roleArn, policyName, who) {
    const roleName = roleNameOf(roleArn);
    const account = roleArn.split(':')[4];
    const missing = (problem) => ({ identity: { roleArn, policyName, policies: [], problem }, documents: [] });
    const inlineNames = [];
    try {
        for await (const page of (0,_aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_2__/* .paginateListRolePolicies */ .ow6)({ client: iam }, { RoleName: roleName }))
            inlineNames.push(...(page.PolicyNames ?? []));
    }
    catch (error) {
        if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .isAwsError */ .m_)(error, 'NoSuchEntity', 'NoSuchEntityException')) {
            return missing(`role ${roleName} does not exist in account ${account}, so nothing there can pull. Create it, or fix staging-role-arn.`);
        }
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeAwsError */ .Pp)(error, 'iam:ListRolePolicies', who);
    }
    if (inlineNames.length === 0 && !(await roleExists(iam, roleName, who))) {
        return missing(`role ${roleName} does not exist in account ${account}, so nothing there can pull. Create it, or fix staging-role-arn.`);
    }
    const attachedArns = [];
    try {
        for await (const page of (0,_aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_2__/* .paginateListAttachedRolePolicies */ .mpN)({ client: iam }, { RoleName: roleName })) {
            attachedArns.push(...(page.AttachedPolicies ?? []).map((policy) => policy.PolicyArn).filter((arn) => Boolean(arn)));
        }
    }
    catch (error) {
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeAwsError */ .Pp)(error, 'iam:ListAttachedRolePolicies', who);
    }
    const inline = await Promise.all(inlineNames.map((name) => readInline(iam, roleName, name, who)));
    const managed = await Promise.all(attachedArns.map((arn) => readManaged(iam, arn, roleName, who)));
    const documents = [...inline.filter((policy) => policy !== undefined), ...managed];
    const identity = {
        roleArn,
        policyName,
        policies: documents.map((policy) => ({ name: policy.name, statements: policy.document.Statement })),
        problem: undefined,
    };
    if (policyName && !inlineNames.includes(policyName)) {
        identity.problem = `inline policy ${policyName} is not on role ${roleName} (account ${account}); it has ${inlineNames.length > 0 ? inlineNames.join(', ') : 'no inline policies'}. Create it with the pull allowlist (mode: reconcile does), or fix staging-policy-name.`;
    }
    return { identity, documents };
}
/** PutRolePolicy of one inline policy (the allowlist); reconcile re-reads afterwards to confirm. */
async function putInlinePolicy(iam, roleArn, policyName, document, who) {
    await (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .awsCall */ .uF)('iam:PutRolePolicy', () => iam.send(new _aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_2__/* .PutRolePolicyCommand */ .pMt({ RoleName: roleNameOf(roleArn), PolicyName: policyName, PolicyDocument: JSON.stringify(document) })), who);
}


/***/ }),

/***/ 720:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   JF: () => (/* binding */ readRepositoryPolicy),
/* harmony export */   cs: () => (/* binding */ writeRepositoryPolicy),
/* harmony export */   pB: () => (/* binding */ restoreRepositoryPolicy),
/* harmony export */   wN: () => (/* binding */ RepositoryNotFoundError)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(8249);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _policy_document_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1561);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9378);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(2495);





class RepositoryNotFoundError extends _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y {
}
/** The stored repository policy, or undefined when there is none (RepositoryPolicyNotFoundException). */
async function readRepositoryPolicy(ecr, registryId, repository) {
    try {
        const response = await ecr.send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_3__/* .GetRepositoryPolicyCommand */ .MeN({ registryId, repositoryName: repository }));
        return response.policyText ? (0,_policy_document_js__WEBPACK_IMPORTED_MODULE_1__/* .parsePolicy */ .ON)(response.policyText, `the repository policy stored on ${repository}`) : undefined;
    }
    catch (error) {
        if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .isAwsError */ .m_)(error, 'RepositoryPolicyNotFoundException'))
            return undefined;
        if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .isAwsError */ .m_)(error, 'RepositoryNotFoundException')) {
            throw new RepositoryNotFoundError(`repository: "${repository}" does not exist in registry ${registryId}. Check the name, or publish it first (create-repository: true).`);
        }
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .describeAwsError */ .Pp)(error, 'ecr:GetRepositoryPolicy');
    }
}
/** ECR refuses a principal that IAM does not know yet (a role created seconds ago). */
function isPrincipalNotYetKnown(error) {
    return (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .isAwsError */ .m_)(error, 'InvalidParameterException') && /Invalid repository policy provided|principal/i.test(error.message ?? '');
}
/**
 * SetRepositoryPolicy with the document minified (ECR counts whitespace), never `force`. A principal
 * IAM does not know yet is retried for the propagation window, then reported by name.
 */
async function writeRepositoryPolicy(ecr, registryId, repository, document, principals, propagation) {
    const policyText = JSON.stringify(document);
    const outcome = await (0,_retry_js__WEBPACK_IMPORTED_MODULE_4__/* .waitForPropagation */ .F)(`ecr:SetRepositoryPolicy on ${repository}`, async () => {
        try {
            await ecr.send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_3__/* .SetRepositoryPolicyCommand */ .IOA({ registryId, repositoryName: repository, policyText }));
            return { done: true, value: undefined };
        }
        catch (error) {
            if (isPrincipalNotYetKnown(error))
                return { done: false, reason: error.message };
            throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .describeAwsError */ .Pp)(error, 'ecr:SetRepositoryPolicy');
        }
    }, propagation);
    if (!outcome.done) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`ecr:SetRepositoryPolicy on ${repository} kept refusing the grant after ${outcome.attempts} attempts (${outcome.reason}). One of these principals does not exist: ${principals.join(', ')}. Create it, or fix pull-principals. Nothing was written.`);
    }
}
/** Puts a repository policy back as it was (none: deleted), when a later write of the same run failed. */
async function restoreRepositoryPolicy(ecr, registryId, repository, before) {
    if (before) {
        await (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .awsCall */ .uF)('ecr:SetRepositoryPolicy', () => ecr.send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_3__/* .SetRepositoryPolicyCommand */ .IOA({ registryId, repositoryName: repository, policyText: JSON.stringify(before) })));
    }
    else {
        await (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .awsCall */ .uF)('ecr:DeleteRepositoryPolicy', () => ecr.send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_3__/* .DeleteRepositoryPolicyCommand */ .JsK({ registryId, repositoryName: repository })));
    }
}


/***/ }),

/***/ 2495:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   F: () => (/* binding */ waitForPropagation)
/* harmony export */ });
const defaultSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Delays 1 s, 2 s, 4 s … capped at 15 s, with jitter, until the deadline. */
async function waitForPropagation(what, attempt, options) {
    const sleep = options.sleep ?? defaultSleep;
    const now = options.now ?? Date.now;
    const random = options.random ?? Math.random;
    const deadline = now() + options.timeoutMs;
    for (let count = 1;; count++) {
        const result = await attempt();
        if (result.done)
            return result;
        const remaining = deadline - now();
        if (remaining <= 0)
            return { ...result, attempts: count };
        const delay = Math.min(remaining, Math.min(15_000, 1000 * 2 ** (count - 1)) * (0.5 + random() / 2));
        options.log?.(`${what}: ${result.reason}; attempt ${count} failed, retrying in ${(delay / 1000).toFixed(1)}s (gives up after ${Math.round(options.timeoutMs / 1000)}s).`);
        await sleep(delay);
    }
}


/***/ }),

/***/ 4164:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Bg: () => (/* binding */ collectForeignFindings),
/* harmony export */   CK: () => (/* binding */ judgeRole),
/* harmony export */   VN: () => (/* binding */ applyGrant),
/* harmony export */   e2: () => (/* binding */ judgeRepository),
/* harmony export */   h2: () => (/* binding */ crossCheckWithSimulator),
/* harmony export */   k0: () => (/* binding */ readRepositoryState),
/* harmony export */   ks: () => (/* binding */ repositoryStateFrom),
/* harmony export */   wB: () => (/* binding */ finishVerdicts)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3360);
/* harmony import */ var _aws_repository_policy_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(720);
/* harmony import */ var _drift_verdict_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(754);
/* harmony import */ var _policy_allowlist_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6523);
/* harmony import */ var _policy_repository_grant_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4003);





/** The state of a repository whose policy is known (undefined: none), with the grant it would need. */
function repositoryStateFrom(inputs, registryId, repository, policy) {
    const grantPlan = inputs.pullPrincipals.length > 0
        ? (0,_policy_repository_grant_js__WEBPACK_IMPORTED_MODULE_4__/* .planGrant */ .wN)(policy, (0,_policy_repository_grant_js__WEBPACK_IMPORTED_MODULE_4__/* .grantStatement */ .AG)(inputs.policySid, inputs.pullPrincipals, inputs.pullActions), repository)
        : undefined;
    return { repository, arn: (0,_policy_allowlist_js__WEBPACK_IMPORTED_MODULE_3__/* .repositoryArn */ .qM)(inputs.region, registryId, repository), policy, grantPlan };
}
async function readRepositoryState(ecr, inputs, registryId, repository) {
    return repositoryStateFrom(inputs, registryId, repository, await (0,_aws_repository_policy_js__WEBPACK_IMPORTED_MODULE_1__/* .readRepositoryPolicy */ .JF)(ecr, registryId, repository));
}
/** Writes the grant when its meaning differs from what is stored; records before/after in the report. */
async function applyGrant(ecr, inputs, registryId, state, report, propagation) {
    const plan = state.grantPlan;
    if (!plan)
        return state.policy;
    if (plan.changes) {
        await (0,_aws_repository_policy_js__WEBPACK_IMPORTED_MODULE_1__/* .writeRepositoryPolicy */ .cs)(ecr, registryId, state.repository, plan.after, inputs.pullPrincipals, propagation);
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Wrote statement "${inputs.policySid}" to the repository policy of ${state.repository} (other statements kept).`);
    }
    else {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`The repository policy of ${state.repository} already grants pull to ${inputs.pullPrincipals.join(', ')}: no write.`);
    }
    report.policyChanges.push({ target: `repository:${state.repository}`, before: plan.before ?? null, after: plan.after, written: plan.changes });
    return plan.after;
}
function label(verdict, okLabel) {
    return verdict.status === 'ok' ? okLabel : verdict.status;
}
/** Both sides of the cross-account pull for one repository, as one row of the report. */
function judgeRepository(inputs, state, effectivePolicy, staging, digest) {
    const findings = [];
    let grant = 'not checked';
    let identity = 'not checked';
    let drift = false;
    if (staging) {
        const grantVerdict = (0,_drift_verdict_js__WEBPACK_IMPORTED_MODULE_2__/* .judgeGrant */ .YQ)(state.repository, state.arn, effectivePolicy, staging.roleArn, inputs.pullActions, inputs.policySid);
        const identityVerdict = (0,_drift_verdict_js__WEBPACK_IMPORTED_MODULE_2__/* .judgeIdentity */ .Ec)(state.arn, staging, inputs.pullActions);
        const written = state.grantPlan?.changes && effectivePolicy === state.grantPlan.after;
        grant = label(grantVerdict, written ? 'granted' : 'ok');
        identity = label(identityVerdict, 'allowed');
        const stale = (0,_policy_repository_grant_js__WEBPACK_IMPORTED_MODULE_4__/* .stalePrincipalFindings */ .As)(effectivePolicy, state.repository);
        findings.push(...grantVerdict.findings, ...stale, ...identityVerdict.findings);
        drift = grantVerdict.status !== 'ok' || identityVerdict.status !== 'ok' || stale.length > 0;
        if (stale.length > 0 && grantVerdict.status === 'ok')
            grant = 'stale principal';
    }
    else if (state.grantPlan) {
        grant = state.grantPlan.changes ? 'granted' : 'ok';
    }
    return { repository: state.repository, grant, identity, digest, verdict: drift ? 'drift' : 'ok', findings };
}
/** The role-level check (docker login needs ecr:GetAuthorizationToken), as a row when it fails. */
function judgeRole(staging) {
    const verdict = (0,_drift_verdict_js__WEBPACK_IMPORTED_MODULE_2__/* .judgeAuthorizationToken */ .ab)(staging);
    if (verdict.status === 'ok' || verdict.findings.length === 0)
        return undefined;
    return { repository: `(role ${staging.roleArn.slice(staging.roleArn.lastIndexOf('/') + 1)})`, grant: '-', identity: verdict.status, verdict: 'drift', findings: verdict.findings };
}
/** simulate: true — IAM's simulator as a second opinion on the identity side; disagreements warn. */
async function crossCheckWithSimulator(inputs, staging, rows, report) {
    if (!inputs.simulate || staging.identity.problem)
        return;
    const { simulateIdentity } = await __webpack_require__.e(/* import() */ 983).then(__webpack_require__.bind(__webpack_require__, 2983));
    for (const { row, arn } of rows) {
        const status = row.identity === 'allowed' ? 'ok' : row.identity;
        const warning = await simulateIdentity(staging.access.iam, staging.identity.roleArn, arn, inputs.pullActions, status);
        if (warning)
            report.warnings.push(warning);
    }
}
function collectForeignFindings(inputs, state, report) {
    report.warnings.push(...(0,_policy_repository_grant_js__WEBPACK_IMPORTED_MODULE_4__/* .publicGrantFindings */ ._S)(state.policy, inputs.policySid, state.repository));
}
function finishVerdicts(report) {
    report.missing = [...new Set(report.rows.filter((row) => row.verdict === 'drift' && !row.repository.startsWith('(')).map((row) => row.repository))].sort();
}


/***/ }),

/***/ 754:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ec: () => (/* binding */ judgeIdentity),
/* harmony export */   YQ: () => (/* binding */ judgeGrant),
/* harmony export */   ab: () => (/* binding */ judgeAuthorizationToken)
/* harmony export */ });
/* harmony import */ var _policy_evaluate_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2863);

function describeStatement(deciding) {
    const sid = deciding.statement.Sid ? `statement "${deciding.statement.Sid}"` : 'a statement without Sid';
    return `${sid} of ${deciding.policy}`;
}
function conditionKeys(statement) {
    return Object.entries(statement.Condition ?? {})
        .flatMap(([operator, keys]) => Object.keys(keys).map((key) => `${operator} ${key}`))
        .join(', ');
}
/** Evaluates every pull action and returns the worst outcome with the statements behind it. */
function worstOf(evaluations) {
    const rank = { 'explicitly-denied': 3, 'implicitly-denied': 2, conditional: 1, allowed: 0 };
    let worst;
    for (const [action, evaluation] of evaluations) {
        if (rank[evaluation.decision] > 0 && (!worst || rank[evaluation.decision] > rank[worst.evaluation.decision]))
            worst = { action, evaluation };
    }
    return worst;
}
function roleName(roleArn) {
    return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}
function accountOf(arn) {
    return arn.split(':')[4];
}
/** Resource side: does the repository policy let the staging role pull (directly or via its account root)? */
function judgeGrant(repository, repositoryArn, repositoryPolicy, principal, pullActions, policySid) {
    const source = { name: `the repository policy of ${repository}`, statements: repositoryPolicy?.Statement ?? [] };
    const worst = worstOf(pullActions.map((action) => [action, (0,_policy_evaluate_js__WEBPACK_IMPORTED_MODULE_0__/* .evaluate */ ._3)([source], { action, resource: repositoryArn, principal }, 'resource')]));
    if (!worst)
        return { status: 'ok', findings: [] };
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
function judgeIdentity(repositoryArn, staging, pullActions) {
    if (staging.problem)
        return { status: 'missing', findings: [staging.problem] };
    const worst = worstOf(pullActions.map((action) => [action, (0,_policy_evaluate_js__WEBPACK_IMPORTED_MODULE_0__/* .evaluate */ ._3)(staging.policies, { action, resource: repositoryArn }, 'identity')]));
    if (!worst)
        return { status: 'ok', findings: [] };
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
function judgeAuthorizationToken(staging) {
    if (staging.problem)
        return { status: 'missing', findings: [] };
    const evaluation = (0,_policy_evaluate_js__WEBPACK_IMPORTED_MODULE_0__/* .evaluate */ ._3)(staging.policies, { action: 'ecr:GetAuthorizationToken', resource: '*' }, 'identity');
    if (evaluation.decision === 'allowed')
        return { status: 'ok', findings: [] };
    const role = `role ${roleName(staging.roleArn)} (account ${accountOf(staging.roleArn)})`;
    return {
        status: evaluation.decision === 'explicitly-denied' ? 'denied' : evaluation.decision === 'conditional' ? 'conditional' : 'missing',
        findings: [`${role} may not call ecr:GetAuthorizationToken on "*", so docker login fails before any pull. Add {"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"} to one of its policies.`],
    };
}


/***/ }),

/***/ 6523:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   C1: () => (/* binding */ allowlistEntries),
/* harmony export */   KR: () => (/* binding */ editAllowlist),
/* harmony export */   O8: () => (/* binding */ allowlistShows),
/* harmony export */   UJ: () => (/* binding */ coveredBy),
/* harmony export */   hr: () => (/* binding */ INLINE_POLICIES_LIMIT),
/* harmony export */   qM: () => (/* binding */ repositoryArn)
/* harmony export */ });
/* unused harmony exports ALLOWLIST_SID, LOGIN_SID, findAllowlistStatement */
/* harmony import */ var _document_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1561);
/* harmony import */ var _evaluate_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2863);


function repositoryArn(region, registryId, repository) {
    return `arn:aws:ecr:${region}:${registryId}:repository/${repository}`;
}
function grantsPull(statement, pullActions) {
    if (statement.Effect !== 'Allow' || statement.Action === undefined)
        return false;
    return pullActions.some((action) => (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(statement.Action).some((pattern) => (0,_evaluate_js__WEBPACK_IMPORTED_MODULE_1__/* .actionMatches */ .GE)(pattern, action)));
}
/** The repositories an identity policy's Allow statements name for pulling, in one registry. */
function allowlistEntries(documents, region, registryId, pullActions) {
    const prefix = `arn:aws:ecr:${region}:${registryId}:repository/`;
    const explicit = new Set();
    const wildcards = new Set();
    for (const document of documents) {
        for (const statement of document.Statement) {
            if (!grantsPull(statement, pullActions))
                continue;
            for (const resource of (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(statement.Resource)) {
                const wildcard = /[*?]/.test(resource);
                if (!wildcard && resource.startsWith(prefix))
                    explicit.add(resource.slice(prefix.length));
                else if (wildcard && (resource === '*' || resource.startsWith('arn:aws:ecr:')))
                    wildcards.add(resource);
            }
        }
    }
    return { explicit: [...explicit].sort(), wildcards: [...wildcards].sort() };
}
/** Which of `repositories` a wildcard pattern covers (to report what a wildcard allowlist stands for). */
function coveredBy(pattern, repositories, region, registryId) {
    return repositories.filter((name) => (0,_evaluate_js__WEBPACK_IMPORTED_MODULE_1__/* .resourceMatches */ .uH)(pattern, repositoryArn(region, registryId, name), 'identity'));
}
/** Sids of the statements reconcile adds when the allowlist has none of its own yet. */
const ALLOWLIST_SID = 'PublishImagePullAllowlist';
const LOGIN_SID = 'PublishImageEcrLogin';
/** All inline policies of one role together: 10,240 characters, whitespace not counted. */
const INLINE_POLICIES_LIMIT = 10_240;
/**
 * The allowlist statement: the first Allow statement that grants every pull action on a list of
 * explicit ECR repository ARNs. Reconcile edits only its Resource list.
 */
function findAllowlistStatement(document, pullActions) {
    if (!document)
        return -1;
    return document.Statement.findIndex((statement) => statement.Effect === 'Allow' &&
        !statement.Condition &&
        statement.Action !== undefined &&
        pullActions.every((action) => (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(statement.Action).some((pattern) => (0,_evaluate_js__WEBPACK_IMPORTED_MODULE_1__/* .actionMatches */ .GE)(pattern, action))) &&
        (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(statement.Resource).length > 0 &&
        (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(statement.Resource).every((resource) => resource.startsWith('arn:aws:ecr:')));
}
/**
 * Adds and removes repository ARNs in the allowlist statement (creating it, or the whole policy,
 * when missing); every other statement is kept as it is. Applied to a freshly read document, so
 * it is also how two racing reconciles merge each other's entries.
 */
function editAllowlist(document, edit, pullActions) {
    const statements = [...(document?.Statement ?? [])];
    const index = findAllowlistStatement(document, pullActions);
    const current = index >= 0 ? (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(statements[index].Resource) : [];
    const removed = new Set(edit.remove);
    const kept = current.filter((arn) => !removed.has(arn));
    const resources = [...kept, ...[...new Set(edit.add)].filter((arn) => !kept.includes(arn)).sort()];
    if (index >= 0) {
        statements[index] = { ...statements[index], Resource: resources };
    }
    else if (resources.length > 0) {
        statements.push({ Sid: ALLOWLIST_SID, Effect: 'Allow', Action: [...pullActions], Resource: resources });
    }
    if (edit.addLogin && !statements.some((statement) => statement.Sid === LOGIN_SID)) {
        statements.push({ Sid: LOGIN_SID, Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    }
    return { ...(document ?? {}), Version: document?.Version ?? '2012-10-17', Statement: statements };
}
/** True when `document` already holds every addition and none of the removals (our write is visible). */
function allowlistShows(document, edit, pullActions) {
    const index = findAllowlistStatement(document, pullActions);
    const resources = index >= 0 ? (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(document.Statement[index].Resource) : [];
    const loginOk = !edit.addLogin || Boolean(document?.Statement.some((statement) => statement.Sid === LOGIN_SID));
    return edit.add.every((arn) => resources.includes(arn)) && edit.remove.every((arn) => !resources.includes(arn)) && loginOk;
}


/***/ }),

/***/ 1561:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AJ: () => (/* binding */ iamPolicyLength),
/* harmony export */   DD: () => (/* binding */ asList),
/* harmony export */   ON: () => (/* binding */ parsePolicy),
/* harmony export */   _W: () => (/* binding */ samePolicyMeaning),
/* harmony export */   xq: () => (/* binding */ decodeIamDocument)
/* harmony export */ });
/* unused harmony export canonicalPolicy */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);

function asList(value) {
    if (value === undefined)
        return [];
    return Array.isArray(value) ? value : [value];
}
function isStringOrList(value) {
    return typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}
function statementProblem(statement) {
    if (typeof statement !== 'object' || statement === null || Array.isArray(statement))
        return 'a statement is not an object';
    const s = statement;
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
        return `statement ${String(s.Sid ?? '')} has Effect ${JSON.stringify(s.Effect)}, not Allow or Deny`;
    if ((s.Action === undefined) === (s.NotAction === undefined))
        return `statement ${String(s.Sid ?? '')} needs exactly one of Action and NotAction`;
    for (const key of ['Action', 'NotAction', 'Resource', 'NotResource']) {
        if (s[key] !== undefined && !isStringOrList(s[key]))
            return `statement ${String(s.Sid ?? '')} has a ${key} that is not a string or a list of strings`;
    }
    return undefined;
}
/**
 * Parses a policy document, accepting a single statement object as IAM does, and says where a
 * malformed one came from (`source`, e.g. "the repository policy of team/app").
 */
function parsePolicy(text, source) {
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch (error) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`${source} is not valid JSON (${error.message}). Fix or replace it by hand; nothing was written.`);
    }
    if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`${source} has no Statement element. Fix or replace it by hand; nothing was written.`);
    }
    const document = parsed;
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    for (const statement of statements) {
        const problem = statementProblem(statement);
        if (problem)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`${source} is malformed: ${problem}. Fix or replace it by hand; nothing was written.`);
    }
    return { ...document, Statement: statements };
}
/**
 * IAM returns policy documents URL-encoded (GetRolePolicy, GetPolicyVersion). decodeURIComponent,
 * not URLSearchParams, which would turn a literal `+` into a space. Already-decoded JSON (some
 * emulators) is passed through.
 */
function decodeIamDocument(text) {
    return text.trimStart().startsWith('{') ? text : decodeURIComponent(text);
}
/** IAM's length rule for identity policies does not count whitespace. */
function iamPolicyLength(document) {
    return JSON.stringify(document).replace(/\s/g, '').length;
}
const ACCOUNT_ID = /^\d{12}$/;
function normaliseList(values, transform = (value) => value) {
    return [...new Set(values.map(transform))].sort();
}
function normalisePrincipal(principal) {
    if (principal === undefined)
        return undefined;
    if (principal === '*')
        return { AWS: ['*'] };
    return Object.fromEntries(Object.keys(principal)
        .sort()
        .map((key) => [key, normaliseList(asList(principal[key]), (value) => (key === 'AWS' && ACCOUNT_ID.test(value) ? `arn:aws:iam::${value}:root` : value))]));
}
function normaliseCondition(condition) {
    if (!condition)
        return undefined;
    return Object.fromEntries(Object.keys(condition)
        .sort()
        .map((operator) => [operator, Object.fromEntries(Object.keys(condition[operator]).sort().map((key) => [key, normaliseList(asList(condition[operator][key]))]))]));
}
function normaliseStatement(statement) {
    const lower = (value) => value.toLowerCase();
    const normal = {
        Sid: statement.Sid ?? '',
        Effect: statement.Effect,
        Principal: normalisePrincipal(statement.Principal),
        NotPrincipal: normalisePrincipal(statement.NotPrincipal),
        Action: statement.Action === undefined ? undefined : normaliseList(asList(statement.Action), lower),
        NotAction: statement.NotAction === undefined ? undefined : normaliseList(asList(statement.NotAction), lower),
        Resource: statement.Resource === undefined ? undefined : normaliseList(asList(statement.Resource)),
        NotResource: statement.NotResource === undefined ? undefined : normaliseList(asList(statement.NotResource)),
        Condition: normaliseCondition(statement.Condition),
    };
    return Object.fromEntries(Object.entries(normal).filter(([, value]) => value !== undefined));
}
/**
 * A canonical form for comparing meaning: key order, array order, duplicates, single-vs-list,
 * action case and bare account IDs don't matter (ECR reformats and reorders what it stores).
 */
function canonicalPolicy(document) {
    if (!document)
        return 'null';
    const statements = document.Statement.map((statement) => JSON.stringify(normaliseStatement(statement))).sort();
    return JSON.stringify({ Version: document.Version ?? '2008-10-17', Statement: statements });
}
function samePolicyMeaning(a, b) {
    return canonicalPolicy(a) === canonicalPolicy(b);
}


/***/ }),

/***/ 2863:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GE: () => (/* binding */ actionMatches),
/* harmony export */   _3: () => (/* binding */ evaluate),
/* harmony export */   uH: () => (/* binding */ resourceMatches)
/* harmony export */ });
/* unused harmony exports resourceMatch, principalMatches */
/* harmony import */ var _document_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1561);

function globToRegExp(pattern, flags) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp(`^${body}$`, flags);
}
function actionMatches(pattern, action) {
    return pattern === '*' || globToRegExp(pattern, 'is').test(action);
}
function splitArn(arn) {
    const parts = arn.split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')].slice(0, parts.length);
}
function toArnParts(segments) {
    return { partition: segments[1], service: segments[2], region: segments[3], account: segments[4], resource: segments[5] };
}
/**
 * IAM's ARN matching: partition, service, region and account are each a case-insensitive glob;
 * the resource type (up to the first `/` or `:`) must match literally; the rest is a
 * case-sensitive glob. A short ARN is padded with `*` in identity policies (in a resource policy it
 * counts only with a wildcard); when a padded one fails to match, that proves nothing, so it
 * cannot exclude a resource from NotResource either ("undetermined").
 */
function resourceMatch(pattern, resource, kind) {
    if (pattern === '*')
        return 'yes';
    if (!pattern.startsWith('arn:'))
        return 'no';
    const patternSegments = splitArn(pattern);
    const short = patternSegments.length < 6;
    if (short) {
        if (kind === 'resource' && !pattern.includes('*'))
            return 'no';
        while (patternSegments.length < 6)
            patternSegments.push('*');
    }
    const miss = short ? 'undetermined' : 'no';
    // Actions without resource-level permissions (ecr:GetAuthorizationToken) ask for "*": only "*" grants them.
    if (resource === '*')
        return miss;
    const requestSegments = splitArn(resource);
    if (requestSegments.length < 6)
        return miss;
    const want = toArnParts(patternSegments);
    const have = toArnParts(requestSegments);
    for (const key of ['partition', 'service', 'region', 'account']) {
        if (!globToRegExp(want[key], 'is').test(have[key]))
            return miss;
    }
    const cut = [want.resource.indexOf('/'), want.resource.indexOf(':')].filter((index) => index >= 0);
    const typeLength = cut.length > 0 ? Math.min(...cut) + 1 : 0;
    if (!have.resource.startsWith(want.resource.slice(0, typeLength)))
        return miss;
    return globToRegExp(want.resource.slice(typeLength), 's').test(have.resource.slice(typeLength)) ? 'yes' : miss;
}
function resourceMatches(pattern, resource, kind) {
    return resourceMatch(pattern, resource, kind) === 'yes';
}
const ACCOUNT_ID = /^\d{12}$/;
function accountOf(arn) {
    return /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}
/** Does a Principal element name this principal? `root` and a bare account ID cover the account's roles. */
function principalMatches(element, principal) {
    if (element === '*')
        return true;
    const account = accountOf(principal);
    return (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(element.AWS).some((value) => {
        if (value === '*')
            return true;
        if (ACCOUNT_ID.test(value))
            return value === account;
        const rootAccount = /^arn:aws[\w-]*:iam::(\d{12}):root$/.exec(value)?.[1];
        if (rootAccount)
            return rootAccount === account;
        return value === principal;
    });
}
function hasPolicyVariable(values) {
    return values.some((value) => value.includes('${'));
}
function statementMatches(statement, request, kind) {
    if (kind === 'resource') {
        if (!request.principal)
            return 'no';
        if (statement.Principal !== undefined && !principalMatches(statement.Principal, request.principal))
            return 'no';
        if (statement.NotPrincipal !== undefined && principalMatches(statement.NotPrincipal, request.principal))
            return 'no';
        if (statement.Principal === undefined && statement.NotPrincipal === undefined)
            return 'no';
    }
    const actionHit = statement.Action !== undefined
        ? (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(statement.Action).some((pattern) => actionMatches(pattern, request.action))
        : !(0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(statement.NotAction).some((pattern) => actionMatches(pattern, request.action));
    if (!actionHit)
        return 'no';
    // A repository policy statement may omit Resource: it then means the repository itself.
    const resources = (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(statement.Resource);
    const notResources = (0,_document_js__WEBPACK_IMPORTED_MODULE_0__/* .asList */ .DD)(statement.NotResource);
    if (statement.Resource !== undefined || statement.NotResource !== undefined) {
        const listed = statement.Resource !== undefined ? resources : notResources;
        const resourceHit = statement.Resource !== undefined
            ? resources.some((pattern) => resourceMatch(pattern, request.resource, kind) === 'yes')
            : notResources.every((pattern) => resourceMatch(pattern, request.resource, kind) === 'no');
        // A policy variable (${aws:username}) depends on the request context: undecidable here.
        if (hasPolicyVariable(listed))
            return 'conditional';
        if (!resourceHit)
            return 'no';
    }
    else if (kind === 'identity') {
        return 'no';
    }
    return statement.Condition && Object.keys(statement.Condition).length > 0 ? 'conditional' : 'yes';
}
/** Explicit deny wins; conditions that could change the answer make it "conditional", never a pass. */
function evaluate(policies, request, kind) {
    const hits = { Allow: { yes: [], conditional: [] }, Deny: { yes: [], conditional: [] } };
    for (const policy of policies) {
        for (const statement of policy.statements) {
            const match = statementMatches(statement, request, kind);
            if (match !== 'no')
                hits[statement.Effect][match].push({ policy: policy.name, statement });
        }
    }
    if (hits.Deny.yes.length > 0)
        return { decision: 'explicitly-denied', deciding: hits.Deny.yes };
    const allows = [...hits.Allow.yes, ...hits.Allow.conditional];
    if (allows.length === 0)
        return { decision: 'implicitly-denied', deciding: [] };
    if (hits.Deny.conditional.length > 0)
        return { decision: 'conditional', deciding: hits.Deny.conditional };
    if (hits.Allow.yes.length > 0)
        return { decision: 'allowed', deciding: hits.Allow.yes };
    return { decision: 'conditional', deciding: hits.Allow.conditional };
}


/***/ }),

/***/ 4003:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AG: () => (/* binding */ grantStatement),
/* harmony export */   As: () => (/* binding */ stalePrincipalFindings),
/* harmony export */   _S: () => (/* binding */ publicGrantFindings),
/* harmony export */   wN: () => (/* binding */ planGrant)
/* harmony export */ });
/* unused harmony export REPOSITORY_POLICY_LIMIT */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _document_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1561);


/** ECR counts every character of the repository policy, whitespace included: we send it minified. */
const REPOSITORY_POLICY_LIMIT = 10_240;
/** The one statement this action owns on a repository policy, found by its Sid. */
function grantStatement(sid, pullPrincipals, pullActions) {
    return {
        Sid: sid,
        Effect: 'Allow',
        Principal: { AWS: [...pullPrincipals].sort() },
        Action: [...pullActions].sort(),
    };
}
/**
 * Replaces (or appends) the statement with our Sid; every other statement stays as it is, in place.
 * Refuses, before any write, a result larger than ECR accepts.
 */
function planGrant(before, grant, repository) {
    const others = before?.Statement ?? [];
    const index = others.findIndex((statement) => statement.Sid === grant.Sid);
    const statements = index >= 0 ? others.map((statement, at) => (at === index ? grant : statement)) : [...others, grant];
    const after = { ...(before ?? {}), Version: before?.Version ?? '2012-10-17', Statement: statements };
    const size = JSON.stringify(after).length;
    if (size > REPOSITORY_POLICY_LIMIT) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`repository policy of ${repository}: with the grant it would be ${size} characters, over ECR's ${REPOSITORY_POLICY_LIMIT}. Remove unused statements from it by hand, or grant the account root instead of many roles. Nothing was written.`);
    }
    return { before, after, changes: !(0,_document_js__WEBPACK_IMPORTED_MODULE_1__/* .samePolicyMeaning */ ._W)(before, after) };
}
const ARN_OR_ACCOUNT = /^(arn:|\d{12}$|\*$)/;
function statementName(statement) {
    return statement.Sid ? `statement "${statement.Sid}"` : 'a statement without Sid';
}
function awsPrincipals(statement) {
    return statement.Principal === '*' ? ['*'] : (0,_document_js__WEBPACK_IMPORTED_MODULE_1__/* .asList */ .DD)(statement.Principal?.AWS);
}
/**
 * Foreign statements (not ours) that make the repository public: reported, never silently kept,
 * and never changed by this action.
 */
function publicGrantFindings(document, ownSid, repository) {
    return (document?.Statement ?? [])
        .filter((statement) => statement.Sid !== ownSid && statement.Effect === 'Allow' && awsPrincipals(statement).includes('*'))
        .map((statement) => {
        const conditional = statement.Condition ? ' (limited only by its Condition)' : '';
        return `${statementName(statement)} of the repository policy of ${repository} lets anyone pull${conditional}. It is not this action's: review it and remove it if the repository is not meant to be public.`;
    });
}
/**
 * Principals stored as unique IDs (AROA…): ECR shows these when the role a grant named was deleted
 * (and maybe recreated under the same name), so the grant no longer applies to anyone. Drift.
 */
function stalePrincipalFindings(document, repository) {
    return (document?.Statement ?? []).flatMap((statement) => awsPrincipals(statement)
        .filter((value) => !ARN_OR_ACCOUNT.test(value))
        .map((value) => `${statementName(statement)} of the repository policy of ${repository} names principal ${value}, a unique ID: the role it named was deleted (and maybe recreated), so that grant applies to nobody. Replace ${value} with the role's current ARN (publish or reconcile do so for their own statement).`));
}


/***/ }),

/***/ 2246:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   M: () => (/* binding */ readStaging),
/* harmony export */   k: () => (/* binding */ stagingAccess)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3360);
/* harmony import */ var _aws_clients_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(201);
/* harmony import */ var _aws_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9378);
/* harmony import */ var _aws_iam_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1084);




/** IAM of the staging account: the current credentials, or a role assumed there (chained from static keys). */
async function stagingAccess(inputs, runner, subject) {
    if (!inputs.stagingAssumeRoleArn)
        return { iam: await (0,_aws_clients_js__WEBPACK_IMPORTED_MODULE_3__/* .createIamClient */ .L7)(), who: 'the current credentials' };
    const credentials = await (0,_aws_clients_js__WEBPACK_IMPORTED_MODULE_3__/* .assumedRoleCredentials */ .xw)(inputs.stagingAssumeRoleArn, (0,_aws_clients_js__WEBPACK_IMPORTED_MODULE_3__/* .roleSessionName */ .O8)(subject, runner.runId), inputs.region, inputs.stagingExternalId);
    // Assume now, so a refusal is reported as sts:AssumeRole, not as the first IAM read; then reuse
    // the session until a minute before it expires (one AssumeRole per run, not one per client).
    let session = await (0,_aws_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .awsCall */ .uF)('sts:AssumeRole', () => credentials(), `the current credentials (on ${inputs.stagingAssumeRoleArn})`);
    const reuseSession = async () => {
        if (session.expiration && session.expiration.getTime() - Date.now() < 60_000)
            session = await credentials();
        return session;
    };
    return { iam: await (0,_aws_clients_js__WEBPACK_IMPORTED_MODULE_3__/* .createIamClient */ .L7)(reuseSession), who: `assumed role ${inputs.stagingAssumeRoleArn}` };
}
async function readStaging(access, inputs) {
    const roleArn = inputs.stagingRoleArn;
    return _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .group */ .Os(`Read the identity policies of ${roleArn}`, async () => {
        const read = await (0,_aws_iam_js__WEBPACK_IMPORTED_MODULE_2__/* .readStagingIdentity */ .iU)(access.iam, roleArn, inputs.stagingPolicyName, access.who);
        for (const policy of read.documents)
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`${policy.name}: ${policy.document.Statement.length} statement(s)`);
        if (read.identity.problem)
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(read.identity.problem);
        return { ...read, access };
    });
}


/***/ })

};
