import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { createEcrClient, createKmsClient } from '../adapters/aws/clients.js';
import {
  createRepository,
  describeRepository,
  existingTags,
  getRegistryAuthorization,
  type RegistryAuthorization,
  type RepositoryInfo,
} from '../adapters/aws/ecr.js';
import { readPushedPlatform } from '../adapters/docker/image-config.js';
import { defaultTags, withOciLabels, type BuildPlan } from '../adapters/docker/args.js';
import { buildAndPush, type BuildResult } from '../adapters/docker/build.js';
import { assertDaemonReachable, findDocker, type DockerClient } from '../adapters/docker/cli.js';
import { createPrivateDockerConfig } from '../adapters/docker/config.js';
import { dockerLogin } from '../adapters/docker/login.js';
import { resolveTagDigest } from '../adapters/docker/registry.js';
import { secretSpecs } from '../adapters/docker/secrets.js';
import { repositoryArn } from '../domain/arn.js';
import type { BuildInputs, RunContext } from '../domain/build/inputs.js';
import { maskableParts } from '../domain/build/secrets.js';
import { resolveTags, tagIsImmutable } from '../domain/build/tags.js';
import { judgeRepository, withImage } from '../domain/checks/verdict.js';
import type { Platform } from '../domain/image/platform.js';
import type { ImageFinding } from '../domain/image/result.js';
import { publicGrants } from '../domain/policy/repository-grant.js';
import { chooseTags, decidePush, type PushDecision, type TagMutability } from '../domain/publish-plan.js';
import { DEFAULT_PLATFORMS, type GrantSettings, type PullerSettings } from '../domain/pullers.js';
import type { Warning } from '../domain/results.js';
import { UserError } from '../errors.js';
import { log } from '../log.js';
import { quoted } from '../util/inert.js';
import { applyGrant } from './grant.js';
import { pullerAt, type PullerAtPlace } from './puller.js';
import { openReaders, readHomePlace, readPuller, type ReaderSettings } from './readers.js';
import { crossCheckWithSimulator, ownedOf, readRepositoryState, readTagsWhereAsked, repositoryStateFrom, type RepositoryState } from './repositories.js';
import { replicationReader, waitForReplicas } from './replication-wait.js';
import { judgePushedImage } from './images.js';
import { pullerNeeds } from '../domain/pullers.js';

/**
 * publish's steps, each handed the clients it uses (`PublishClients`): the mode calls them in order,
 * and tests hand them fakes. No words here but the errors each check raises: the mode logs each step's
 * result through report/publish-text.ts.
 */

/** What publish reads of its settings (settings/settings.ts PublishSettings is one). */
export interface PublishOrder extends ReaderSettings {
  repository: string;
  build: BuildInputs;
  create: { mutability: string; exclusionFilters: string[]; scanOnPush: boolean } | undefined;
  grant: GrantSettings;
  pullers: PullerSettings[];
  run: RunContext;
  simulate: boolean;
  propagationTimeoutMs: number;
  waitForReplicationMs?: number;
}

/** The docker side: log in with a private DOCKER_CONFIG, build (and push), and ask the registry what a tag serves. */
export interface ImageTools {
  daemonVersion: string;
  /** Logs in; `save` records the private DOCKER_CONFIG before anything is written into it. */
  login(registry: RegistryAuthorization, tempDir: string, save: (dir: string) => void): Promise<DockerSession>;
  /** The digest the registry serves for `repository:tag` (what a `docker pull` gets). */
  served(registry: RegistryAuthorization, repository: string, tag: string): Promise<string>;
  /** A single manifest's platform, from its config blob (undefined: an index, or not said). */
  platform?(registry: RegistryAuthorization, repository: string, digest: string): Promise<Platform | undefined>;
}

/** A login: the build secrets go into its private DOCKER_CONFIG (removed with it), and it builds. */
export interface DockerSession {
  secrets(build: BuildInputs): string[];
  build(plan: BuildPlan, tempDir: string): Promise<BuildResult>;
}

export interface BuildSession {
  build(plan: Omit<BuildPlan, 'secrets'>, tempDir: string): Promise<BuildResult>;
}

export interface PublishClients {
  tools: ImageTools;
  ecr: ECRClient;
  registry: RegistryAuthorization;
}

/** The docker client and the registry's distribution API, through the adapters. */
export function dockerTools(docker: DockerClient, daemonVersion: string): ImageTools {
  return {
    daemonVersion,
    async login(registry, tempDir, save) {
      const config = createPrivateDockerConfig(tempDir, docker.env, registry, save);
      const client = { ...docker, env: { ...docker.env, ...config.env } };
      await dockerLogin(client, registry.registryUrl, registry.username, registry.password);
      return {
        secrets: (build) => secretSpecs(join(config.dir, 'secrets'), build.secrets, build.secretFiles, build.secretEnvs, docker.env),
        build: (plan, dir) => buildAndPush(client, plan, dir),
      };
    },
    served: (registry, repository, tag) => resolveTagDigest(registry.registryUrl, repository, tag, registry),
    platform: (registry, repository, digest) => readPushedPlatform(registry.registryUrl, repository, digest, registry),
  };
}

/**
 * Everything publish can check before it talks to anyone: build secrets (masked first, so the runner
 * hides them in every later line), the default tags, the Dockerfile.
 */
export function checkBuild(order: Pick<PublishOrder, 'build' | 'run'>, env: NodeJS.ProcessEnv): { dockerfile: string; defaults: string[] | undefined } {
  const { secrets, secretEnvs, secretFiles, context, file } = order.build;
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
  const defaults = order.build.tags.length === 0 ? defaultTags(order.run) : undefined;
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new UserError(`context: ${quoted(context, 200)} is not a directory. Point it at the folder to build (check out the repository first).`);
  }
  const dockerfile = file || join(context, 'Dockerfile');
  if (!existsSync(dockerfile)) {
    throw new UserError(
      `file: ${quoted(dockerfile, 200)} does not exist. Set \`file:\` to the Dockerfile's path, or \`context:\` to the folder that holds it.`,
    );
  }
  return { dockerfile, defaults };
}

/** The docker daemon, then ECR and its registry login (the password masked before any command could echo it). */
export async function connectPublish(order: Pick<PublishOrder, 'registry'>, env: NodeJS.ProcessEnv): Promise<PublishClients> {
  const docker = await findDocker(env);
  const tools = dockerTools(docker, await assertDaemonReachable(docker));
  const ecr = await createEcrClient(order.registry.region);
  const registry = await getRegistryAuthorization(ecr, order.registry.registryId);
  log.mask(registry.password);
  log.mask(Buffer.from(`${registry.username}:${registry.password}`).toString('base64'));
  return { tools, ecr, registry };
}

/** The tags asked for: the defaults, or `tags` (metadata-action's full references checked against this registry and repository). */
export function tagsToPush(
  order: Pick<PublishOrder, 'build' | 'repository'>,
  clients: Pick<PublishClients, 'registry'>,
  defaults: string[] | undefined,
): string[] {
  return defaults ?? resolveTags(order.build.tags, clients.registry.host, order.repository);
}

/** The pullers that must pull this repository in the registry's region, judged there (replicas and other regions are verify's). */
export async function readPublishPullers(order: PublishOrder, clients: PublishClients): Promise<PullerAtPlace[]> {
  const region = order.registry.region;
  const pullers = order.pullers.filter((puller) => puller.regions.includes(region) && pullerNeeds(puller, order.repository));
  if (pullers.length === 0 || !order.build.push) return [];
  const readers = await openReaders({ ...order, pullers }, order.repository, { ecr: clients.ecr, registryId: clients.registry.registryId });
  const [home, facts] = await Promise.all([readHomePlace(readers), Promise.all(pullers.map((puller) => readPuller(readers, puller)))]);
  return facts.map((puller) => pullerAt(puller, home));
}

/** The repository, when it exists; refused when it does not and create-repository is off. */
export async function findRepository(order: PublishOrder, clients: PublishClients) {
  const { registryId } = clients.registry;
  const info = await describeRepository(clients.ecr, registryId, order.repository);
  if (!info && !order.create) {
    throw new UserError(
      `repository: "${order.repository}" does not exist in registry ${registryId} (${order.registry.region}). Create it, or set \`create-repository: true\`.`,
    );
  }
  return info;
}

/** Its policy, read only to grant or to verify (a repository about to be created has none), and any public grant in it. */
export async function readPublishState(
  order: PublishOrder,
  clients: PublishClients,
  exists: boolean,
  placed: PullerAtPlace[],
): Promise<{ state: RepositoryState; warnings: Warning[] }> {
  const { region } = order.registry;
  const { registryId } = clients.registry;
  const needsPolicy = order.build.push && (order.grant.principals.length > 0 || placed.length > 0);
  const state =
    exists && needsPolicy
      ? await readRepositoryState(clients.ecr, order.grant, region, registryId, order.repository)
      : repositoryStateFrom(order.grant, repositoryArn(region, registryId, order.repository), order.repository, undefined);
  return { state, warnings: publicGrants(state.policy, order.grant.sid, order.repository).map((grant) => ({ kind: 'public-grant', grant })) };
}

export async function createPublishRepository(order: PublishOrder, clients: PublishClients) {
  const create = order.create;
  if (!create) throw new UserError(`repository: "${order.repository}" does not exist in registry ${clients.registry.registryId} (${order.registry.region}).`);
  const mutability = { mode: create.mutability, exclusionFilters: create.exclusionFilters };
  return createRepository(clients.ecr, clients.registry.registryId, order.repository, { mutability, scanOnPush: create.scanOnPush });
}

/**
 * Each tag judged by the repository's mode and exclusion filters. With the default tags, `latest` is
 * left out on a repository where it would be immutable (it could be pushed once only), and a re-run
 * of a commit already published pushes nothing.
 */
export async function decideTags(
  order: PublishOrder,
  clients: PublishClients,
  mutability: TagMutability,
  tags: string[],
  defaultTagsInUse: boolean,
): Promise<{ tags: string[]; warnings: Warning[]; decision: PushDecision }> {
  const choice = chooseTags(tags, defaultTagsInUse, (tag) => tagIsImmutable(mutability, tag));
  const warnings: Warning[] = choice.latestLeftOut ? [{ kind: 'latest-left-out', repository: order.repository, mutability, pushing: choice.tags }] : [];
  const taken = await existingTags(clients.ecr, clients.registry.registryId, order.repository, choice.immutable);
  const decision = decidePush(choice, taken, defaultTagsInUse);
  return { tags: decision.kind === 'published' ? decision.tags : choice.tags, warnings, decision };
}

/** Logs in (private DOCKER_CONFIG; `loggedIn` hears it), writes the build secrets there, and returns the session that builds. The caller removes the folder. */
export async function loginForBuild(
  order: PublishOrder,
  clients: PublishClients,
  dockerConfig: { save(dir: string): void },
  loggedIn: () => void,
): Promise<BuildSession> {
  const session = await clients.tools.login(clients.registry, order.run.tempDir, (dir) => dockerConfig.save(dir));
  loggedIn();
  const secrets = session.secrets(order.build);
  return { build: (plan, tempDir) => session.build({ ...plan, secrets }, tempDir) };
}

/** Builds (and pushes) with the OCI labels of this run. */
export async function buildImage(order: PublishOrder, session: BuildSession, dockerfile: string, imageRefs: string[], now = new Date()): Promise<BuildResult> {
  return session.build({ build: order.build, imageRefs, dockerfile, labels: withOciLabels(order.build.labels, order.run, now) }, order.run.tempDir);
}

/** The references built and pushed: host/repository:tag. */
export function imageRefs(order: Pick<PublishOrder, 'repository'>, clients: Pick<PublishClients, 'registry'>, tags: string[]): string[] {
  return tags.map((tag) => `${clients.registry.host}/${order.repository}:${tag}`);
}

/** The image as the report names it: by digest, with its tags (and, when this run built it, its ID and build metadata). */
export function imageOf(
  order: PublishOrder,
  clients: PublishClients,
  repository: { arn: string },
  imageRefs: string[],
  digest: string,
  built?: Pick<BuildResult, 'imageId' | 'metadata'>,
) {
  const { host } = clients.registry;
  const image = { digest, imageUri: `${host}/${order.repository}@${digest}`, tags: imageRefs, repositoryArn: repository.arn, registry: host };
  return built ? { ...image, imageId: built.imageId, metadata: built.metadata } : image;
}

/** Every tag must serve the pushed digest: another push may have raced this one. `seen` hears each tag as it is confirmed. */
export async function confirmPushed(
  order: PublishOrder,
  clients: PublishClients,
  tags: string[],
  digest: string,
  seen: (tag: string, served: string) => void,
): Promise<void> {
  for (const tag of tags) {
    const served = await clients.tools.served(clients.registry, order.repository, tag);
    if (served !== digest) {
      throw new UserError(`registry: ${order.repository}:${tag} resolves to ${served}, not the pushed ${digest}. Another push raced this one; re-run.`);
    }
    seen(tag, served);
  }
}

/** The one digest the registry serves for every tag of a re-run (what a puller sees is what the registry serves). */
export async function servedDigest(
  order: PublishOrder,
  clients: PublishClients,
  tags: string[],
  ecrDigest: string,
  seen: (tag: string, served: string) => void,
): Promise<string> {
  const served = new Set<string>();
  for (const tag of tags) {
    const digest = await clients.tools.served(clients.registry, order.repository, tag);
    seen(tag, digest);
    served.add(digest);
  }
  if (served.size !== 1) {
    throw new UserError(
      `registry: the tags ${tags.join(', ')} of ${order.repository} serve ${served.size} different images (ECR says ${ecrDigest}). Push a new tag.`,
    );
  }
  return [...served][0];
}

/** Writes the grant where its meaning changes (propagation waits said through `say`). */
export async function grantPublished(order: PublishOrder, clients: PublishClients, state: RepositoryState, say: (line: string) => void) {
  return applyGrant(clients.ecr, order.grant, clients.registry.registryId, state, { timeoutMs: order.propagationTimeoutMs, log: say });
}

/** Both sides judged for each puller (none: the repository side alone), tags read where a policy asks for them. */
/**
 * The pushed digest as each puller will pull it here (issue 26), judged with the reads verify uses and
 * the encryption publish's DescribeRepositories read; started before the grant (it changes no image).
 * Undefined without pullers (nothing to judge the image for).
 */
export function judgePushed(
  order: PublishOrder,
  clients: PublishClients,
  state: RepositoryState,
  info: RepositoryInfo,
  placed: PullerAtPlace[],
  digest: string,
): Promise<Map<string, ImageFinding>> | undefined {
  if (placed.length === 0) return undefined;
  const pullers = placed.map((puller) => ({
    name: puller.name,
    platforms: order.pullers.find((settings) => settings.name === puller.name)?.platforms ?? DEFAULT_PLATFORMS,
  }));
  // A single manifest's platform is in its config blob: read from the registry only when a puller names its platforms.
  const config = pullers.some((puller) => puller.platforms.named) ? clients.tools.platform?.(clients.registry, order.repository, digest) : undefined;
  const judged = judgePushedImage({
    ecr: clients.ecr,
    kms: () => createKmsClient(order.registry.region, clients.ecr.config.credentials),
    registry: { registryId: clients.registry.registryId, region: order.registry.region },
    repository: order.repository,
    repositoryArn: state.arn,
    digest,
    ...(info.encryption ? { encryption: info.encryption } : {}),
    ...(config ? { config } : {}),
    pullers,
    who: 'the current credentials',
  });
  judged.catch(() => undefined); // awaited by judgePublished; a grant that fails first leaves it unawaited
  return judged;
}

export async function judgePublished(
  order: PublishOrder,
  clients: PublishClients,
  state: RepositoryState,
  granted: Awaited<ReturnType<typeof grantPublished>>,
  placed: PullerAtPlace[],
  digest: string,
  images?: Promise<Map<string, ImageFinding>>,
) {
  const [asked, findings] = await Promise.all([readTagsWhereAsked(clients.ecr, placed, [{ arn: state.arn, policy: granted.policy }]), images]);
  const facts = {
    repository: order.repository,
    arn: state.arn,
    policy: granted.policy,
    tags: asked.tags.get(state.arn),
    digest,
    grantWritten: granted.change?.written === true,
    owned: ownedOf(order.grant, state),
  };
  const verdicts =
    placed.length === 0
      ? [judgeRepository(facts, undefined)]
      : placed.map((puller) => {
          const verdict = judgeRepository(facts, puller);
          const image = findings?.get(puller.name);
          return image ? withImage(verdict, image, { chosen: 'pushed' }) : verdict;
        });
  return { verdicts, notChecked: asked.notChecked };
}

/** simulate: true — IAM's simulator as a second opinion on each puller's identity side. */
export async function crossCheckPublished(
  order: PublishOrder,
  placed: PullerAtPlace[],
  verdicts: Awaited<ReturnType<typeof judgePublished>>['verdicts'],
): Promise<Warning[]> {
  if (!order.simulate) return [];
  const checks = placed.map((puller) =>
    crossCheckWithSimulator(
      puller.access.iam,
      puller,
      verdicts.filter((verdict) => verdict.puller === puller.name),
    ),
  );
  return (await Promise.all(checks)).flat();
}

/** `wait-for-replication`: the regions, other than the registry's, where a puller of this repository pulls. */
export function replicaRegions(order: PublishOrder): string[] {
  if (!order.waitForReplicationMs) return [];
  const home = order.registry.region;
  const needing = order.pullers.filter((puller) => pullerNeeds(puller, order.repository));
  return [...new Set(needing.flatMap((puller) => puller.regions))].filter((region) => region !== home);
}

/** Polls the digest's replication status until every region holds it COMPLETE. */
export async function waitForPublishedReplicas(order: PublishOrder, clients: PublishClients, regions: string[], digest: string, say: (line: string) => void) {
  await waitForReplicas(
    replicationReader(clients.ecr, clients.registry.registryId, order.repository, digest, 'the current credentials'),
    regions.map((region) => ({ region })),
    `${order.repository}@${digest}`,
    { timeoutMs: order.waitForReplicationMs ?? 0, log: say },
  );
}
