import { log } from '../log.js';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createEcrClient } from '../adapters/aws/clients.js';
import type { ECRClient } from '@aws-sdk/client-ecr';
import {
  createRepository,
  describeMutability,
  describeRepository,
  existingTags,
  getRegistryAuthorization,
  type RegistryAuthorization,
  type RepositoryInfo,
} from '../adapters/aws/ecr.js';
import { defaultTags, withOciLabels, type BuildPlan } from '../adapters/docker/args.js';
import { buildAndPush, type BuildResult } from '../adapters/docker/build.js';
import { assertDaemonReachable, findDocker, type DockerClient } from '../adapters/docker/cli.js';
import { createPrivateDockerConfig } from '../adapters/docker/config.js';
import { dockerLogin } from '../adapters/docker/login.js';
import { resolveTagDigest } from '../adapters/docker/registry.js';
import { maskableParts, secretSpecs } from '../adapters/docker/secrets.js';
import { resolveTags, tagIsImmutable } from '../adapters/docker/tags.js';
import { UserError } from '../errors.js';
import { quoted } from '../util/inert.js';
import type { Inputs } from '../action/inputs.js';
import type { RunReport } from '../report/model.js';
import type { RunnerContext } from '../action/runner-context.js';
import { removeDockerConfigDir, saveDockerConfigDir } from '../action/state.js';
import {
  applyGrant,
  collectForeignFindings,
  crossCheckWithSimulator,
  finishVerdicts,
  judgeRepository,
  readTagsWhereAsked,
  readRepositoryState,
  repositoryStateFrom,
  type RepositoryState,
} from './cross-account.js';
import type { Staging } from './staging.js';
import { openReaders, readStagingWith } from './verify.js';
import { roleNameOf } from '../adapters/aws/iam.js';

function resolveDockerfile(inputs: Inputs): string {
  const { context, file } = inputs.build;
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new UserError(`context: ${quoted(context, 200)} is not a directory. Point it at the folder to build (check out the repository first).`);
  }
  const dockerfile = file || join(context, 'Dockerfile');
  if (!existsSync(dockerfile)) {
    throw new UserError(
      `file: ${quoted(dockerfile, 200)} does not exist. Set \`file:\` to the Dockerfile's path, or \`context:\` to the folder that holds it.`,
    );
  }
  return dockerfile;
}

/**
 * Build secrets are masked before anything else runs (the runner then hides them in every later
 * line), and what they name is checked before anything is written.
 */
function prepareBuildSecrets(inputs: Inputs, env: NodeJS.ProcessEnv): void {
  const { secrets, secretEnvs, secretFiles } = inputs.build;
  for (const { id, env: name } of secretEnvs) {
    const value = env[name];
    if (value === undefined)
      throw new UserError(`secret-envs: the environment variable ${name} (for secret ${id}) is not set in this step. Set it in the step's \`env:\`.`);
    for (const part of maskableParts(value)) log.mask(part);
  }
  for (const { value } of secrets) for (const part of maskableParts(value)) log.mask(part);
  for (const { id, path } of secretFiles) {
    if (!existsSync(path) || !statSync(path).isFile())
      throw new UserError(`secret-files: ${quoted(path, 200)} (secret ${id}) is not a file. Give the path of the file that holds the secret.`);
  }
}

interface Target {
  inputs: Inputs;
  repository: string;
  tags: string[];
  ecr: ECRClient;
  registry: RegistryAuthorization;
}

/**
 * Describe (or create) the repository, read its policy when granting or verifying, refuse an
 * immutable overwrite (each tag judged by the repository's mode and exclusion filters). With the
 * default tags, `latest` is left out on a repository where it would be immutable: it could be pushed
 * once only, and the next push to the default branch would fail.
 */
async function prepareRepository(
  target: Target,
  staging: Staging | undefined,
  report: RunReport,
  defaultTagsInUse: boolean,
): Promise<{ info: RepositoryInfo; state: RepositoryState; published?: string }> {
  const { inputs, repository, ecr, registry } = target;
  const found = await log.group(`Repository ${repository}`, async () => {
    const info = await describeRepository(ecr, registry.registryId, repository);
    if (info) log.info(`Found ${info.arn} (${describeMutability(info.mutability)}).`);
    else if (!inputs.createRepository) {
      throw new UserError(
        `repository: "${repository}" does not exist in registry ${registry.registryId} (${inputs.region}). Create it, or set \`create-repository: true\`.`,
      );
    }
    return info;
  });
  // The repository policy matters only to grant or to verify; a repository about to be created has none.
  const needsPolicy = inputs.build.push && (inputs.pullPrincipals.length > 0 || staging !== undefined);
  const state: RepositoryState =
    found && needsPolicy
      ? await readRepositoryState(ecr, inputs, registry.registryId, repository)
      : repositoryStateFrom(inputs, registry.registryId, repository, undefined);
  collectForeignFindings(inputs, state, report);

  const info =
    found ??
    (await log.group(`Create repository ${repository}`, async () => {
      const created = await createRepository(ecr, registry.registryId, repository, {
        mutability: { mode: inputs.imageTagMutability, exclusionFilters: inputs.imageTagMutabilityExclusionFilters },
        scanOnPush: inputs.scanOnPush,
      });
      log.info(`Created ${created.arn} (${describeMutability(created.mutability)}).`);
      return created;
    }));

  if (inputs.build.push) {
    if (defaultTagsInUse && target.tags.includes('latest') && tagIsImmutable(info.mutability, 'latest')) {
      target.tags = target.tags.filter((tag) => tag !== 'latest');
      log.warning(
        `latest: not pushed, because ${repository} keeps it immutable (${describeMutability(info.mutability)}): it could be pushed once, and every later push to the default branch would fail. ` +
          `Pushing ${target.tags.join(', ')}. To keep a moving latest, exclude it: aws ecr put-image-tag-mutability --repository-name ${repository} --image-tag-mutability IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters filterType=WILDCARD,filter=latest`,
      );
    }
    const immutable = target.tags.filter((tag) => tagIsImmutable(info.mutability, tag));
    const taken = await existingTags(ecr, registry.registryId, repository, immutable);
    const digests = new Set(taken.values());
    // A re-run of a commit already published (its default tags all there, on one image): nothing to
    // build or push, and the grant and the verification still run. Explicit tags are never reused.
    if (defaultTagsInUse && taken.size > 0 && taken.size === immutable.length && digests.size === 1 && !digests.has('')) {
      const [digest] = digests;
      target.tags = immutable;
      log.info(
        `${immutable.join(', ')} already in ${repository} (${digest}): this commit is published already. Nothing is built or pushed; the grant and the verification still run.`,
      );
      return { info, state, published: digest };
    }
    if (taken.size > 0) {
      throw new UserError(
        `tags: ${[...taken.keys()].join(', ')} already exist in ${repository}, whose tags are immutable (${describeMutability(info.mutability)}), so the push would fail. Use a new tag (e.g. the commit SHA or a new version), or delete the old image first.`,
      );
    }
  }
  return { info, state };
}

/** The one digest the registry serves for every tag of this run (a re-run's existing image). */
async function servedDigest(target: Target, ecrDigest: string): Promise<string> {
  const served = new Set<string>();
  for (const tag of target.tags) {
    const digest = await resolveTagDigest(target.registry.registryUrl, target.repository, tag, target.registry);
    log.info(`${target.repository}:${tag} -> ${digest}`);
    served.add(digest);
  }
  if (served.size !== 1) {
    throw new UserError(
      `registry: the tags ${target.tags.join(', ')} of ${target.repository} serve ${served.size} different images (ECR says ${ecrDigest}). Push a new tag.`,
    );
  }
  return [...served][0];
}

/**
 * Login, build, push and ask the registry what it serves, with credentials in a private
 * DOCKER_CONFIG that keeps the job's own docker setup usable (src/docker/config.ts).
 */
async function buildPushConfirm(
  target: Target,
  docker: DockerClient,
  daemonVersion: string,
  unsecretPlan: Omit<BuildPlan, 'secrets'>,
  tempDir: string,
): Promise<BuildResult> {
  const { repository, registry } = target;
  try {
    const built = await log
      .group(`Login to ${registry.host}`, async () => {
        // Recorded for removal (post:, SIGTERM) before anything is written into it.
        const config = createPrivateDockerConfig(tempDir, docker.env, registry, saveDockerConfigDir);
        const client = { ...docker, env: { ...docker.env, ...config.env } };
        await dockerLogin(client, registry.registryUrl, registry.username, registry.password);
        log.info(`Logged in (credentials in the private DOCKER_CONFIG only, removed when the step ends).`);
        const { secrets, secretFiles, secretEnvs } = unsecretPlan.build;
        return { client, secrets: secretSpecs(join(config.dir, 'secrets'), secrets, secretFiles, secretEnvs, docker.env) };
      })
      .then(({ client, secrets }) => {
        const plan: BuildPlan = { ...unsecretPlan, secrets };
        return log.group(`Build${plan.build.push ? ' and push' : ''} (Docker ${daemonVersion})`, () => buildAndPush(client, plan, tempDir));
      });
    if (!built.digest) return built;
    await log.group('Confirm with the registry', async () => {
      for (const tag of target.tags) {
        const served = await resolveTagDigest(registry.registryUrl, repository, tag, registry);
        if (served !== built.digest) {
          throw new UserError(`registry: ${repository}:${tag} resolves to ${served}, not the pushed ${built.digest}. Another push raced this one; re-run.`);
        }
        log.info(`${repository}:${tag} -> ${served}`);
      }
    });
    return built;
  } finally {
    removeDockerConfigDir();
  }
}

/** After the push: write the grant where its meaning changes, then judge both sides. */
async function grantAndVerify(target: Target, state: RepositoryState, staging: Staging | undefined, report: RunReport): Promise<void> {
  const { inputs, repository, ecr, registry } = target;
  const effectivePolicy = await log.group(`Grant cross-account pull on ${repository}`, async () => {
    try {
      return await applyGrant(ecr, inputs, registry.registryId, state, report, { timeoutMs: inputs.propagationTimeoutMs, log: log.info });
    } catch (error) {
      // The push has happened: say so, so nobody rebuilds to fix a grant.
      if (error instanceof UserError && report.image)
        throw new UserError(
          `The image is pushed (${report.image.imageUri}), but the grant was not written: ${error.message} Once that is fixed, run mode: reconcile for this repository: it writes the grant without rebuilding.`,
        );
      throw error;
    }
  });
  const verdict = await log.group(`Verify that ${staging ? roleNameOf(staging.roleArn) : 'staging'} can pull ${repository}`, async () => {
    const asked = await readTagsWhereAsked(ecr, staging, [{ arn: state.arn, policy: effectivePolicy }]);
    report.notChecked.push(...asked.notChecked);
    const judged = judgeRepository(inputs, state, effectivePolicy, staging, report.image?.digest, asked.tags.get(state.arn));
    log.info(
      staging
        ? `Repository side: ${judged.grant?.status}. Identity side: ${judged.identity?.status}.`
        : 'No staging-role-arn: the identity side is not checked.',
    );
    return judged;
  });
  report.repositories.push(verdict);
  if (staging) await crossCheckWithSimulator(inputs, staging, [verdict], report);
  finishVerdicts(inputs, staging, report);
}

/**
 * build → push → confirm with the registry → grant → verify. Everything that can be checked is
 * checked before the first write: inputs, Dockerfile, daemon, credentials, repository, immutable
 * tags, the staging identity policies, the repository policy and the grant's size.
 */
export async function publishImage(inputs: Inputs, runner: RunnerContext, report: RunReport): Promise<void> {
  const repository = inputs.repository as string;
  prepareBuildSecrets(inputs, process.env);
  const defaultTagsInUse = inputs.build.tags.length === 0;
  const defaults = defaultTagsInUse ? defaultTags(runner) : [];
  const dockerfile = resolveDockerfile(inputs);

  const docker = await findDocker(process.env);
  const daemonVersion = await assertDaemonReachable(docker);

  const ecr = await createEcrClient(inputs.region);
  const registry = await getRegistryAuthorization(ecr, inputs.registryId);
  // Mask before any command runs that could echo it.
  log.mask(registry.password);
  log.mask(Buffer.from(`${registry.username}:${registry.password}`).toString('base64'));
  report.registryId = registry.registryId;
  // metadata-action's full references are checked against this registry and repository here.
  const tags = defaultTagsInUse ? defaults : resolveTags(inputs.build.tags, registry.host, repository);
  const target: Target = { inputs, repository, tags, ecr, registry };

  const staging =
    inputs.stagingRoleArn && inputs.build.push
      ? await readStagingWith(await openReaders(inputs, runner, repository, { ecr, registryId: registry.registryId }), inputs)
      : undefined;
  const { info, state, published } = await prepareRepository(target, staging, report, defaultTagsInUse);

  const imageRefs = target.tags.map((tag) => `${registry.host}/${repository}:${tag}`);
  if (published) {
    // What a puller sees is what the registry serves: ask it, as after a push.
    const digest = await log.group('Confirm with the registry', () => servedDigest(target, published));
    report.image = { digest, imageUri: `${registry.host}/${repository}@${digest}`, tags: imageRefs, repositoryArn: info.arn, registry: registry.host };
    await grantAndVerify(target, state, staging, report);
    return;
  }
  const plan = { build: inputs.build, imageRefs, dockerfile, labels: withOciLabels(inputs.build.labels, runner, new Date()) };
  const built = await buildPushConfirm(target, docker, daemonVersion, plan, runner.tempDir);
  const digest = built.digest;
  if (!digest) {
    log.info(`push: false, so nothing was pushed and nothing is verified (image ${built.imageId ?? 'built'}).`);
    return;
  }
  const imageUri = `${registry.host}/${repository}@${digest}`;
  log.info(`Pushed ${imageUri}`);
  report.image = { digest, imageUri, tags: imageRefs, repositoryArn: info.arn, registry: registry.host, imageId: built.imageId, metadata: built.metadata };

  await grantAndVerify(target, state, staging, report);
}
