import { log } from '../log.js';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createEcrClient, createKmsClient } from '../adapters/aws/clients.js';
import { readPushedPlatform } from '../adapters/docker/image-config.js';
import { judgePushedImage } from '../services/images.js';
import { withImage } from '../domain/checks/verdict.js';
import { DEFAULT_PLATFORMS } from '../domain/pullers.js';
import type { ECRClient } from '@aws-sdk/client-ecr';
import {
  createRepository,
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
import { secretSpecs } from '../adapters/docker/secrets.js';
import { maskableParts } from '../domain/build/secrets.js';
import { resolveTags, tagIsImmutable } from '../domain/build/tags.js';
import { UserError } from '../errors.js';
import { quoted } from '../util/inert.js';
import { emptyReport, type RunReport, type Warning } from '../report/model.js';
import type { PublishSettings } from '../settings/settings.js';
import { repositoryArn } from '../domain/arn.js';
import { chooseTags, decidePush } from '../domain/publish-plan.js';
import { describeMutability } from '../report/findings.js';
import { judgeRepository } from '../domain/checks/verdict.js';
import { publicGrants } from '../domain/policy/repository-grant.js';
import { applyGrant } from '../services/grant.js';
import { pullerAt, type PullerAtPlace } from '../services/puller.js';
import { pullerNeeds } from '../settings/pullers.js';
import { openReaders, readHomePlace, readPuller } from '../services/readers.js';
import {
  crossCheckWithSimulator,
  ownedOf,
  readRepositoryState,
  readTagsWhereAsked,
  repositoryStateFrom,
  type RepositoryState,
} from '../services/repositories.js';
import { roleNameOf } from '../adapters/aws/iam.js';
import { FailedRun, withPullers } from './result.js';
import { replicationReader, waitForReplicas } from '../services/replication-wait.js';

/** Where the private DOCKER_CONFIG is recorded, so the post step and a cancellation remove it (the entry point owns it). */
export interface DockerConfigKeeper {
  save(dir: string): void;
  remove(): void;
}

function resolveDockerfile(build: PublishSettings['build']): string {
  const { context, file } = build;
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
function prepareBuildSecrets(build: PublishSettings['build'], env: NodeJS.ProcessEnv): void {
  const { secrets, secretEnvs, secretFiles } = build;
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
  settings: PublishSettings;
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
  placedPullers: PullerAtPlace[],
  defaultTagsInUse: boolean,
): Promise<{ info: RepositoryInfo; state: RepositoryState; published?: string; warnings: Warning[]; tags: string[] }> {
  const { settings, repository, ecr, registry } = target;
  const { region } = settings.registry;
  const found = await log.group(`Repository ${repository}`, async () => {
    const info = await describeRepository(ecr, registry.registryId, repository);
    if (info) log.info(`Found ${info.arn} (${describeMutability(info.mutability)}).`);
    else if (!settings.create) {
      throw new UserError(
        `repository: "${repository}" does not exist in registry ${registry.registryId} (${region}). Create it, or set \`create-repository: true\`.`,
      );
    }
    return info;
  });
  // The repository policy matters only to grant or to verify; a repository about to be created has none.
  const needsPolicy = settings.build.push && (settings.grant.principals.length > 0 || placedPullers.length > 0);
  const state: RepositoryState =
    found && needsPolicy
      ? await readRepositoryState(ecr, settings.grant, region, registry.registryId, repository)
      : repositoryStateFrom(settings.grant, repositoryArn(region, registry.registryId, repository), repository, undefined);
  const warnings: Warning[] = publicGrants(state.policy, settings.grant.sid, repository).map((grant) => ({ kind: 'public-grant', grant }));
  const create = settings.create;

  const info =
    found ??
    (create &&
      (await log.group(`Create repository ${repository}`, async () => {
        const created = await createRepository(ecr, registry.registryId, repository, {
          mutability: { mode: create.mutability, exclusionFilters: create.exclusionFilters },
          scanOnPush: create.scanOnPush,
        });
        log.info(`Created ${created.arn} (${describeMutability(created.mutability)}).`);
        return created;
      })));
  if (!info) throw new UserError(`repository: "${repository}" does not exist in registry ${registry.registryId} (${region}).`);

  if (!settings.build.push) return { info, state, warnings, tags: target.tags };
  const choice = chooseTags(target.tags, defaultTagsInUse, (tag) => tagIsImmutable(info.mutability, tag));
  if (choice.latestLeftOut) warnings.push({ kind: 'latest-left-out', repository, mutability: info.mutability, pushing: choice.tags });
  const decision = decidePush(choice, await existingTags(ecr, registry.registryId, repository, choice.immutable), defaultTagsInUse);
  switch (decision.kind) {
    case 'push':
      return { info, state, warnings, tags: choice.tags };
    case 'published':
      // A re-run of a commit already published: nothing to build or push; the grant and the verification still run.
      log.info(
        `${decision.tags.join(', ')} already in ${repository} (${decision.digest}): this commit is published already. Nothing is built or pushed; the grant and the verification still run.`,
      );
      return { info, state, warnings, tags: decision.tags, published: decision.digest };
    case 'conflict':
      throw new UserError(
        `tags: ${decision.taken.join(', ')} already exist in ${repository}, whose tags are immutable (${describeMutability(info.mutability)}), so the push would fail. Use a new tag (e.g. the commit SHA or a new version), or delete the old image first.`,
      );
  }
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
 * DOCKER_CONFIG that keeps the job's own docker setup usable (src/adapters/docker/config.ts).
 */
async function buildPushConfirm(
  target: Target,
  docker: DockerClient,
  daemonVersion: string,
  unsecretPlan: Omit<BuildPlan, 'secrets'>,
  tempDir: string,
  dockerConfig: DockerConfigKeeper,
): Promise<BuildResult> {
  const { repository, registry } = target;
  try {
    const built = await log
      .group(`Login to ${registry.host}`, async () => {
        // Recorded for removal (post:, SIGTERM) before anything is written into it.
        const config = createPrivateDockerConfig(tempDir, docker.env, registry, (dir) => dockerConfig.save(dir));
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
    dockerConfig.remove();
  }
}

/** Every puller, judged at the registry pushed to (one AssumeRole per puller, reads in parallel). */
async function readPullers(settings: PublishSettings, repository: string, ecr: ECRClient, registryId: string): Promise<PullerAtPlace[]> {
  const readers = await openReaders(settings, repository, { ecr, registryId });
  const [home, facts] = await Promise.all([readHomePlace(readers), Promise.all(settings.pullers.map((puller) => readPuller(readers, puller)))]);
  return facts.map((puller) => pullerAt(puller, home));
}

/** After the push: write the grant where its meaning changes, then judge both sides. */
async function grantAndVerify(
  target: Target,
  state: RepositoryState,
  info: RepositoryInfo,
  placedPullers: PullerAtPlace[],
  image: NonNullable<RunReport['image']>,
): Promise<Pick<RunReport, 'repositories' | 'policyChanges' | 'warnings' | 'notChecked'>> {
  const { settings, repository, ecr, registry } = target;
  // The image each puller will pull (issue 26): the pushed digest, read while the grant is written (it changes no image).
  const images = placedPullers.length > 0 ? judgePushed(target, state, info, placedPullers, image.digest) : undefined;
  images?.catch(() => undefined); // consumed below; a grant that fails first leaves it unawaited
  const granted = await log.group(`Grant cross-account pull on ${repository}`, async () => {
    try {
      return await applyGrant(ecr, settings.grant, registry.registryId, state, { timeoutMs: settings.propagationTimeoutMs, log: log.info });
    } catch (error) {
      // The push has happened: say so, so nobody rebuilds to fix a grant.
      if (error instanceof UserError)
        throw new UserError(
          `The image is pushed (${image.imageUri}), but the grant was not written: ${error.message} Once that is fixed, run mode: reconcile for this repository: it writes the grant without rebuilding.`,
        );
      throw error;
    }
  });
  const policyChanges = granted.change ? [granted.change] : [];
  const written = granted.change?.written === true;
  const who = placedPullers.length === 0 ? 'staging' : placedPullers.map((placed) => roleNameOf(placed.roleArn)).join(', ');
  const { verdicts, notChecked } = await log.group(`Verify that ${who} can pull ${repository}`, async () => {
    const [asked, findings] = await Promise.all([readTagsWhereAsked(ecr, placedPullers, [{ arn: state.arn, policy: granted.policy }]), images]);
    const facts = {
      repository,
      arn: state.arn,
      policy: granted.policy,
      tags: asked.tags.get(state.arn),
      digest: image.digest,
      grantWritten: written,
      owned: ownedOf(settings.grant, state),
    };
    const judged =
      placedPullers.length === 0
        ? [judgeRepository(facts, undefined)]
        : placedPullers.map((placed) => withImage(judgeRepository(facts, placed), findings!.get(placed.name)!, { chosen: 'pushed' }));
    if (placedPullers.length === 0) log.info('No staging-role-arn: the identity side is not checked.');
    for (const verdict of placedPullers.length > 0 ? judged : [])
      log.info(
        `${verdict.puller}: repository side ${verdict.grant?.status}, identity side ${verdict.identity?.status}, image ${verdict.image?.status === 'judged' ? verdict.image.state : verdict.image?.status}.`,
      );
    return { verdicts: judged, notChecked: asked.notChecked };
  });
  const warnings = settings.simulate
    ? (
        await Promise.all(
          placedPullers.map((placed) =>
            crossCheckWithSimulator(
              placed.access.iam,
              placed,
              verdicts.filter((verdict) => verdict.puller === placed.name),
            ),
          ),
        )
      ).flat()
    : [];
  return { repositories: verdicts, policyChanges, warnings, notChecked: [...placedPullers.flatMap((placed) => placed.notChecked), ...notChecked] };
}

/** The pushed digest as each puller will pull it here (services/images), with the encryption publish's DescribeRepositories read. */
async function judgePushed(target: Target, state: RepositoryState, info: RepositoryInfo, placedPullers: PullerAtPlace[], digest: string) {
  const { settings, repository, ecr, registry } = target;
  const pullers = placedPullers.map((placed) => ({
    name: placed.name,
    platforms: settings.pullers.find((puller) => puller.name === placed.name)?.platforms ?? DEFAULT_PLATFORMS,
  }));
  // A single manifest's platform is in its config blob: read from the registry (beside the ECR reads) only when a puller names its platforms.
  const config = pullers.some((puller) => puller.platforms.named) ? readPushedPlatform(registry.registryUrl, repository, digest, registry) : undefined;
  return judgePushedImage({
    ecr,
    kms: () => createKmsClient(settings.registry.region, ecr.config.credentials),
    registry: { registryId: registry.registryId, region: settings.registry.region },
    repository,
    repositoryArn: state.arn,
    digest,
    ...(info.encryption ? { encryption: info.encryption } : {}),
    ...(config ? { config } : {}),
    pullers,
    who: 'the current credentials',
  });
}

/**
 * `wait-for-replication`: after the push (and the grant), poll the digest's replication status until
 * every region a puller of this repository pulls in, other than the registry's, holds it COMPLETE.
 */
async function waitForPushedReplicas(settings: PublishSettings, ecr: ECRClient, registryId: string, digest: string): Promise<void> {
  const home = settings.registry.region;
  const regions = [...new Set(settings.pullers.filter((puller) => pullerNeeds(puller, settings.repository)).flatMap((puller) => puller.regions))].filter(
    (region) => region !== home,
  );
  if (!settings.waitForReplicationMs || regions.length === 0) return;
  await log.group(`Wait for the replicas of ${settings.repository} in ${regions.join(', ')}`, () =>
    waitForReplicas(
      replicationReader(ecr, registryId, settings.repository, digest, 'the current credentials'),
      regions.map((region) => ({ region })),
      `${settings.repository}@${digest}`,
      { timeoutMs: settings.waitForReplicationMs ?? 0, log: log.info },
    ),
  );
}

/**
 * build → push → confirm with the registry → grant → verify. Everything that can be checked is
 * checked before the first write: inputs, Dockerfile, daemon, credentials, repository, immutable
 * tags, the staging identity policies, the repository policy and the grant's size.
 */
export async function publishImage(settings: PublishSettings, dockerConfig: DockerConfigKeeper): Promise<RunReport> {
  const { repository, build, run } = settings;
  const report = emptyReport('publish', settings.registry.region);
  prepareBuildSecrets(build, process.env);
  const defaultTagsInUse = build.tags.length === 0;
  const defaults = defaultTagsInUse ? defaultTags(run) : [];
  const dockerfile = resolveDockerfile(build);

  const docker = await findDocker(process.env);
  const daemonVersion = await assertDaemonReachable(docker);

  const ecr = await createEcrClient(settings.registry.region);
  const registry = await getRegistryAuthorization(ecr, settings.registry.registryId);
  // Mask before any command runs that could echo it.
  log.mask(registry.password);
  log.mask(Buffer.from(`${registry.username}:${registry.password}`).toString('base64'));
  // metadata-action's full references are checked against this registry and repository here.
  const tags = defaultTagsInUse ? defaults : resolveTags(build.tags, registry.host, repository);

  // Only the pullers that must pull this repository in this region: replicas and other regions are verify's to judge.
  const pullers = settings.pullers.filter((puller) => puller.regions.includes(settings.registry.region) && pullerNeeds(puller, repository));
  const placedPullers = pullers.length > 0 && build.push ? await readPullers({ ...settings, pullers }, repository, ecr, registry.registryId) : [];
  const prepared = await prepareRepository({ settings, repository, tags, ecr, registry }, placedPullers, defaultTagsInUse);
  const { info, state, published } = prepared;
  const target: Target = { settings, repository, tags: prepared.tags, ecr, registry };
  const before: RunReport = { ...report, registryId: registry.registryId, warnings: prepared.warnings };

  const imageRefs = target.tags.map((tag) => `${registry.host}/${repository}:${tag}`);
  let image: RunReport['image'];
  if (published) {
    // What a puller sees is what the registry serves: ask it, as after a push.
    const digest = await log.group('Confirm with the registry', () => servedDigest(target, published));
    image = { digest, imageUri: `${registry.host}/${repository}@${digest}`, tags: imageRefs, repositoryArn: info.arn, registry: registry.host };
  } else {
    const plan = { build, imageRefs, dockerfile, labels: withOciLabels(build.labels, run, new Date()) };
    const built = await buildPushConfirm(target, docker, daemonVersion, plan, run.tempDir, dockerConfig);
    if (!built.digest) {
      log.info(`push: false, so nothing was pushed and nothing is verified (image ${built.imageId ?? 'built'}).`);
      return before;
    }
    image = {
      digest: built.digest,
      imageUri: `${registry.host}/${repository}@${built.digest}`,
      tags: imageRefs,
      repositoryArn: info.arn,
      registry: registry.host,
      imageId: built.imageId,
      metadata: built.metadata,
    };
    log.info(`Pushed ${image.imageUri}`);
  }
  const pushed: RunReport = { ...before, image };
  try {
    const verified = await grantAndVerify(target, state, info, placedPullers, image);
    await waitForPushedReplicas(settings, ecr, registry.registryId, image.digest);
    return withPullers(
      { ...pushed, ...verified, warnings: [...pushed.warnings, ...verified.warnings], notChecked: [...pushed.notChecked, ...verified.notChecked] },
      placedPullers.map((placed) => ({ placed, extra: [] })),
      settings,
    );
  } catch (error) {
    // What was pushed still goes to the report (the digest, to pull or undo by hand).
    throw error instanceof UserError ? new FailedRun(error, pushed) : error;
  }
}
