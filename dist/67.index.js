export const id = 67;
export const ids = [67];
export const modules = {

/***/ 9448:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  publishImage: () => (/* binding */ publishImage)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(3360);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/aws/clients.ts
var clients = __webpack_require__(201);
// EXTERNAL MODULE: ./src/aws/ecr.ts
var aws_ecr = __webpack_require__(8663);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/docker/args.ts

/** Tags when none are given: the commit SHA, plus `latest` on the default branch. */
function defaultTags(context) {
    if (!context.sha) {
        throw new errors/* UserError */.y('tags: none given and GITHUB_SHA is not set. Give `tags:` explicitly, e.g. `tags: v1.2.3`.');
    }
    const tags = [context.sha];
    const onDefaultBranch = context.defaultBranch
        ? context.ref === `refs/heads/${context.defaultBranch}`
        : context.ref === 'refs/heads/main' || context.ref === 'refs/heads/master';
    if (onDefaultBranch)
        tags.push('latest');
    return tags;
}
/** Standard OCI labels from the runner, unless the user gave the same label. */
function withOciLabels(labels, context, now) {
    const given = new Set(labels.map((label) => label.slice(0, label.indexOf('='))));
    const standard = [
        ['org.opencontainers.image.source', context.sourceUrl],
        ['org.opencontainers.image.revision', context.sha],
        ['org.opencontainers.image.created', now.toISOString()],
    ];
    const added = standard
        .filter(([name, value]) => value !== undefined && !given.has(name))
        .map(([name, value]) => `${name}=${value}`);
    return [...labels, ...added];
}
function repeat(flag, values) {
    return values.flatMap((value) => [flag, value]);
}
/** `docker buildx build …`: pushes itself and writes the digest to the metadata file. */
function buildxArgs(plan, metadataFile) {
    const { build } = plan;
    const args = ['buildx', 'build', '--file', plan.dockerfile];
    args.push(...repeat('--tag', plan.imageRefs));
    args.push(...repeat('--build-arg', build.buildArgs));
    args.push(...repeat('--label', plan.labels));
    if (build.target)
        args.push('--target', build.target);
    if (build.platforms.length > 0)
        args.push('--platform', build.platforms.join(','));
    args.push(...repeat('--cache-from', build.cacheFrom));
    args.push(...repeat('--cache-to', build.cacheTo));
    if (build.noCache)
        args.push('--no-cache');
    if (build.provenance)
        args.push(`--provenance=${build.provenance}`);
    args.push('--metadata-file', metadataFile);
    if (build.push)
        args.push('--push');
    else if (build.platforms.length <= 1)
        args.push('--load');
    args.push(build.context);
    return args;
}
/** `docker build …` with BuildKit (no buildx): one platform, no cache export; `docker push` follows. */
function legacyBuildArgs(plan) {
    const { build } = plan;
    if (build.platforms.length > 1) {
        throw new errors/* UserError */.y(`platforms: building for ${build.platforms.join(', ')} needs docker buildx, which this runner lacks. Install the buildx plugin (e.g. docker/setup-buildx-action) or build one platform.`);
    }
    if (build.cacheTo.length > 0) {
        throw new errors/* UserError */.y('cache-to: exporting a cache needs docker buildx, which this runner lacks. Install the buildx plugin or remove cache-to.');
    }
    const args = ['build', '--file', plan.dockerfile];
    args.push(...repeat('--tag', plan.imageRefs));
    args.push(...repeat('--build-arg', build.buildArgs));
    args.push(...repeat('--label', plan.labels));
    if (build.target)
        args.push('--target', build.target);
    if (build.platforms.length === 1)
        args.push('--platform', build.platforms[0]);
    args.push(...repeat('--cache-from', build.cacheFrom));
    if (build.noCache)
        args.push('--no-cache');
    args.push(build.context);
    return args;
}
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** The digest buildx wrote to `--metadata-file`. */
function digestFromMetadata(metadataJson) {
    try {
        const metadata = JSON.parse(metadataJson);
        const digest = metadata['containerimage.digest'];
        return typeof digest === 'string' && DIGEST.test(digest) ? digest : undefined;
    }
    catch {
        return undefined;
    }
}
/** `docker push` ends with `<tag>: digest: sha256:… size: N`. */
function digestFromPushOutput(output) {
    const match = /digest: (sha256:[a-f0-9]{64}) size: \d+/.exec(output);
    return match?.[1];
}

// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 3 modules
var exec = __webpack_require__(7187);
;// CONCATENATED MODULE: ./src/docker/cli.ts


async function runDocker(client, args, options = {}) {
    return exec/* getExecOutput */.H(client.path, args, {
        env: { ...client.env, ...options.env },
        input: options.input,
        silent: options.silent ?? false,
        ignoreReturnCode: true,
    });
}
/** The lines of a failed command worth showing: the last few non-empty lines of stderr (or stdout). */
function lastLines(result, count = 3) {
    const text = result.stderr.trim() || result.stdout.trim();
    return text.split('\n').filter((line) => line.trim()).slice(-count).join('\n');
}
async function findDocker(env) {
    const io = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 8701));
    const path = await io.which('docker', false);
    if (!path)
        throw new errors/* UserError */.y('docker: no docker client on PATH. Install Docker on the runner (apt-get install docker.io) or use a runner image that has it.');
    const clean = Object.fromEntries(Object.entries(env).filter((entry) => entry[1] !== undefined));
    return { path, env: clean };
}
/** Fails with one clear message when the daemon is unreachable, before anything is written. */
async function assertDaemonReachable(client) {
    const result = await runDocker(client, ['version', '--format', '{{.Server.Version}}'], { silent: true });
    if (result.exitCode !== 0 || !result.stdout.trim()) {
        const host = client.env.DOCKER_HOST ?? 'the default socket /var/run/docker.sock';
        throw new errors/* UserError */.y(`Docker daemon: cannot reach it at ${host} (${lastLines(result, 1) || 'no answer'}). Start dockerd on the runner, or point DOCKER_HOST at a running daemon.`);
    }
    return result.stdout.trim();
}
async function hasBuildx(client) {
    const result = await runDocker(client, ['buildx', 'version'], { silent: true });
    return result.exitCode === 0;
}

;// CONCATENATED MODULE: ./src/docker/build.ts






function buildFailed(result) {
    return new errors/* UserError */.y(`docker build failed (exit ${result.exitCode}):\n${lastLines(result, 5)}\nFix the Dockerfile or build inputs; nothing was pushed.`);
}
async function buildWithBuildx(client, plan, tempDir) {
    const metadataFile = (0,external_node_path_.join)(tempDir, `publish-image-metadata-${process.pid}.json`);
    try {
        const result = await runDocker(client, buildxArgs(plan, metadataFile));
        if (result.exitCode !== 0)
            throw buildFailed(result);
        const digest = plan.build.push ? digestFromMetadata((0,external_node_fs_.readFileSync)(metadataFile, 'utf8')) : undefined;
        if (plan.build.push && !digest)
            throw new errors/* UserError */.y('docker buildx: the push finished but the metadata file names no digest. Update buildx (>= 0.8).');
        return { builder: 'buildx', digest };
    }
    finally {
        (0,external_node_fs_.rmSync)(metadataFile, { force: true });
    }
}
async function buildWithBuildKit(client, plan) {
    if (plan.build.provenance)
        core/* info */.pq('provenance: ignored, attestations need docker buildx.');
    const result = await runDocker(client, legacyBuildArgs(plan), { env: { DOCKER_BUILDKIT: '1' } });
    if (result.exitCode !== 0) {
        if (/buildx component is missing/.test(result.stderr)) {
            throw new errors/* UserError */.y('docker: this Docker client (23 or newer) builds with BuildKit only through buildx, which is not installed. Install the buildx plugin (apt-get install docker-buildx, or docker/setup-buildx-action), or put a Docker 20.10 client first on PATH.');
        }
        throw buildFailed(result);
    }
    if (!plan.build.push)
        return { builder: 'buildkit', digest: undefined };
    const digests = new Set();
    for (const imageRef of plan.imageRefs) {
        const push = await runDocker(client, ['push', imageRef]);
        if (push.exitCode !== 0)
            throw new errors/* UserError */.y(`docker push ${imageRef} failed:\n${lastLines(push)}`);
        const digest = digestFromPushOutput(push.stdout);
        if (!digest)
            throw new errors/* UserError */.y(`docker push ${imageRef}: the output names no digest.`);
        digests.add(digest);
    }
    if (digests.size !== 1)
        throw new errors/* UserError */.y(`docker push: tags resolved to different digests (${[...digests].join(', ')}).`);
    return { builder: 'buildkit', digest: [...digests][0] };
}
/** buildx when the client has it (it pushes itself), else `docker build` with BuildKit and `docker push` per tag. */
async function buildAndPush(client, plan, tempDir) {
    return (await hasBuildx(client)) ? buildWithBuildx(client, plan, tempDir) : buildWithBuildKit(client, plan);
}

;// CONCATENATED MODULE: ./src/docker/login.ts




/**
 * A DOCKER_CONFIG of our own, so registry credentials never land in the runner user's
 * ~/.docker/config.json (self-hosted runners keep it between jobs). Deleted at the end and in `post:`.
 */
function createPrivateDockerConfig(tempDir) {
    const dir = (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)(tempDir, 'publish-image-docker-'));
    (0,external_node_fs_.writeFileSync)((0,external_node_path_.join)(dir, 'config.json'), '{}\n', { mode: 0o600 });
    return dir;
}
async function dockerLogin(client, endpoint, username, password) {
    const result = await runDocker(client, ['login', '--username', username, '--password-stdin', endpoint], {
        input: Buffer.from(password),
        silent: true,
    });
    if (result.exitCode !== 0) {
        throw new errors/* UserError */.y(`docker login ${endpoint} failed: ${lastLines(result, 1)}. Check that the runner can reach the registry and trusts its certificate.`);
    }
}

;// CONCATENATED MODULE: ./src/docker/registry.ts

const MANIFEST_TYPES = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
/**
 * Asks the registry itself (distribution API, authenticated as a puller would be) which digest a
 * tag resolves to. This is what `docker pull` will get, not what the local daemon believes.
 */
async function resolveTagDigest(registryUrl, repository, tag, credentials) {
    const url = `${registryUrl.replace(/\/$/, '')}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
    const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    let response;
    try {
        response = await fetch(url, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES, Authorization: authorization } });
    }
    catch (error) {
        const cause = error.cause?.message ?? String(error);
        throw new errors/* UserError */.y(`registry: cannot reach ${registryUrl} to confirm ${repository}:${tag} (${cause}).`);
    }
    const digest = response.headers.get('docker-content-digest');
    if (!response.ok || !digest) {
        throw new errors/* UserError */.y(`registry: ${repository}:${tag} does not resolve (HTTP ${response.status}) right after the push. The push did not land; re-run the job.`);
    }
    return digest;
}

// EXTERNAL MODULE: ./src/state.ts
var state = __webpack_require__(2462);
// EXTERNAL MODULE: ./src/crossaccount.ts
var crossaccount = __webpack_require__(4164);
// EXTERNAL MODULE: ./src/staging.ts
var src_staging = __webpack_require__(2246);
// EXTERNAL MODULE: ./src/aws/iam.ts
var iam = __webpack_require__(1084);
;// CONCATENATED MODULE: ./src/publish.ts















function resolveDockerfile(inputs) {
    const { context, file } = inputs.build;
    if (!(0,external_node_fs_.existsSync)(context) || !(0,external_node_fs_.statSync)(context).isDirectory()) {
        throw new errors/* UserError */.y(`context: "${context}" is not a directory. Point it at the folder to build (check out the repository first).`);
    }
    const dockerfile = file || (0,external_node_path_.join)(context, 'Dockerfile');
    if (!(0,external_node_fs_.existsSync)(dockerfile)) {
        throw new errors/* UserError */.y(`file: "${dockerfile}" does not exist. Set \`file:\` to the Dockerfile's path, or \`context:\` to the folder that holds it.`);
    }
    return dockerfile;
}
/** Describe (or create) the repository, read its policy when granting or verifying, refuse an immutable overwrite. */
async function prepareRepository(target, staging, report) {
    const { inputs, repository, ecr, registry } = target;
    const found = await core/* group */.Os(`Repository ${repository}`, async () => {
        const info = await (0,aws_ecr/* describeRepository */.MD)(ecr, registry.registryId, repository);
        if (info)
            core/* info */.pq(`Found ${info.arn} (tags ${info.immutableTags ? 'immutable' : 'mutable'}).`);
        else if (!inputs.createRepository) {
            throw new errors/* UserError */.y(`repository: "${repository}" does not exist in registry ${registry.registryId} (${inputs.region}). Create it, or set \`create-repository: true\`.`);
        }
        return info;
    });
    // The repository policy matters only to grant or to verify; a repository about to be created has none.
    const needsPolicy = inputs.build.push && (inputs.pullPrincipals.length > 0 || staging !== undefined);
    const state = found && needsPolicy
        ? await (0,crossaccount/* readRepositoryState */.k0)(ecr, inputs, registry.registryId, repository)
        : (0,crossaccount/* repositoryStateFrom */.ks)(inputs, registry.registryId, repository, undefined);
    (0,crossaccount/* collectForeignFindings */.Bg)(inputs, state, report);
    const info = found ?? await core/* group */.Os(`Create repository ${repository}`, async () => {
        const created = await (0,aws_ecr/* createRepository */.vB)(ecr, registry.registryId, repository, {
            immutableTags: inputs.imageTagMutability === 'IMMUTABLE',
            scanOnPush: inputs.scanOnPush,
        });
        core/* info */.pq(`Created ${created.arn}.`);
        return created;
    });
    if (info.immutableTags && inputs.build.push) {
        const taken = await (0,aws_ecr/* existingTags */.p)(ecr, registry.registryId, repository, target.tags);
        if (taken.length > 0) {
            throw new errors/* UserError */.y(`tags: ${taken.join(', ')} already exist in ${repository}, whose tags are immutable, so the push would fail. Use a new tag (e.g. the commit SHA or a new version), or delete the old image first.`);
        }
    }
    return { info, state };
}
/** Login, build, push and ask the registry what it serves, with credentials in a private DOCKER_CONFIG. */
async function buildPushConfirm(target, docker, daemonVersion, plan, tempDir) {
    const { repository, registry } = target;
    const dockerConfig = createPrivateDockerConfig(tempDir);
    (0,state/* saveDockerConfigDir */.Xt)(dockerConfig);
    try {
        const client = { ...docker, env: { ...docker.env, DOCKER_CONFIG: dockerConfig } };
        await core/* group */.Os(`Login to ${registry.host}`, async () => {
            await dockerLogin(client, registry.registryUrl, registry.username, registry.password);
            core/* info */.pq(`Logged in (credentials in a private DOCKER_CONFIG, removed when the step ends).`);
        });
        const built = await core/* group */.Os(`Build${plan.build.push ? ' and push' : ''} (Docker ${daemonVersion})`, () => buildAndPush(client, plan, tempDir));
        if (!built.digest)
            return undefined;
        await core/* group */.Os('Confirm with the registry', async () => {
            for (const tag of target.tags) {
                const served = await resolveTagDigest(registry.registryUrl, repository, tag, registry);
                if (served !== built.digest) {
                    throw new errors/* UserError */.y(`registry: ${repository}:${tag} resolves to ${served}, not the pushed ${built.digest}. Another push raced this one; re-run.`);
                }
                core/* info */.pq(`${repository}:${tag} -> ${served}`);
            }
        });
        return built.digest;
    }
    finally {
        (0,state/* removeDockerConfigDir */.MA)();
    }
}
/** After the push: write the grant where its meaning changes, then judge both sides. */
async function grantAndVerify(target, state, staging, report) {
    const { inputs, repository, ecr, registry } = target;
    const effectivePolicy = await core/* group */.Os(`Grant cross-account pull on ${repository}`, async () => {
        try {
            return await (0,crossaccount/* applyGrant */.VN)(ecr, inputs, registry.registryId, state, report, { timeoutMs: inputs.propagationTimeoutMs, log: core/* info */.pq });
        }
        catch (error) {
            // The push has happened: say so, so nobody rebuilds to fix a grant.
            if (error instanceof errors/* UserError */.y && report.image)
                throw new errors/* UserError */.y(`The image is pushed (${report.image.imageUri}), but the grant was not written: ${error.message} Re-run publish, or reconcile, once that is fixed.`);
            throw error;
        }
    });
    const row = await core/* group */.Os(`Verify that ${staging ? (0,iam/* roleNameOf */.xZ)(staging.identity.roleArn) : 'staging'} can pull ${repository}`, async () => {
        const judged = (0,crossaccount/* judgeRepository */.e2)(inputs, state, effectivePolicy, staging?.identity, report.image?.digest);
        core/* info */.pq(staging ? `Repository side: ${judged.grant}. Identity side: ${judged.identity}.` : 'No staging-role-arn: the identity side is not checked.');
        return judged;
    });
    report.rows.push(row);
    if (staging)
        await (0,crossaccount/* crossCheckWithSimulator */.h2)(inputs, staging, [{ row, arn: state.arn }], report);
    const roleRow = staging && (0,crossaccount/* judgeRole */.CK)(staging.identity);
    if (roleRow)
        report.rows.push(roleRow);
    (0,crossaccount/* finishVerdicts */.wB)(report);
}
/**
 * build → push → confirm with the registry → grant → verify. Everything that can be checked is
 * checked before the first write: inputs, Dockerfile, daemon, credentials, repository, immutable
 * tags, the staging identity policies, the repository policy and the grant's size.
 */
async function publishImage(inputs, runner, report) {
    const repository = inputs.repository;
    const tags = inputs.build.tags.length > 0 ? inputs.build.tags : defaultTags(runner);
    const dockerfile = resolveDockerfile(inputs);
    const docker = await findDocker(process.env);
    const daemonVersion = await assertDaemonReachable(docker);
    const ecr = await (0,clients/* createEcrClient */.yv)(inputs.region);
    const registry = await (0,aws_ecr/* getRegistryAuthorization */.JC)(ecr, inputs.registryId);
    // Mask before any command runs that could echo it.
    core/* setSecret */.Pq(registry.password);
    core/* setSecret */.Pq(Buffer.from(`${registry.username}:${registry.password}`).toString('base64'));
    report.registryId = registry.registryId;
    const target = { inputs, repository, tags, ecr, registry };
    const staging = inputs.stagingRoleArn && inputs.build.push ? await (0,src_staging/* readStaging */.M)(await (0,src_staging/* stagingAccess */.k)(inputs, runner, repository), inputs) : undefined;
    const { info, state } = await prepareRepository(target, staging, report);
    const imageRefs = tags.map((tag) => `${registry.host}/${repository}:${tag}`);
    const plan = { build: inputs.build, imageRefs, dockerfile, labels: withOciLabels(inputs.build.labels, runner, new Date()) };
    const digest = await buildPushConfirm(target, docker, daemonVersion, plan, runner.tempDir);
    if (!digest) {
        core/* info */.pq('push: false, so nothing was pushed and nothing is verified.');
        return;
    }
    const imageUri = `${registry.host}/${repository}@${digest}`;
    core/* info */.pq(`Pushed ${imageUri}`);
    report.image = { digest, imageUri, tags: imageRefs, repositoryArn: info.arn };
    await grantAndVerify(target, state, staging, report);
}


/***/ })

};
