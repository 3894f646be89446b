import { UserError } from '../errors.js';
import { log } from '../log.js';
import { emptyReport, type RunReport } from '../report/model.js';
import { publishText as say } from '../report/publish-text.js';
import * as steps from '../services/publish-image.js';
import type { PublishClients } from '../services/publish-image.js';
import type { PublishSettings } from '../settings/settings.js';
import { FailedRun, withPullers } from './result.js';

/** Where the private DOCKER_CONFIG is recorded, so the post step and a cancellation remove it (the entry point owns it). */
export interface DockerConfigKeeper {
  save(dir: string): void;
  remove(): void;
}

/**
 * build → push → confirm with the registry → grant → verify. Everything that can be checked is
 * checked before the first write: inputs, Dockerfile, daemon, credentials, repository, immutable
 * tags, the staging identity policies, the repository policy and the grant's size. `connect` hands
 * the steps their clients (docker, ECR, the registry login); tests hand fakes.
 */
export async function publishImage(
  settings: PublishSettings,
  dockerConfig: DockerConfigKeeper,
  connect: (settings: PublishSettings) => Promise<PublishClients> = (order) => steps.connectPublish(order, process.env),
): Promise<RunReport> {
  const { repository } = settings;
  const { dockerfile, defaults } = steps.checkBuild(settings, process.env);
  const clients = await connect(settings);
  const { registry } = clients;
  const asked = steps.tagsToPush(settings, clients, defaults);
  const placed = await steps.readPublishPullers(settings, clients);

  // The repository: found (or created), its policy read, each tag judged by its mutability.
  const found = await log.group(say.repositoryStep(repository), async () => {
    const info = await steps.findRepository(settings, clients);
    if (info) log.info(say.found(info));
    return info;
  });
  const { state, warnings } = await steps.readPublishState(settings, clients, found !== undefined, placed);
  const info =
    found ??
    (await log.group(say.createStep(repository), async () => {
      const created = await steps.createPublishRepository(settings, clients);
      log.info(say.created(created));
      return created;
    }));
  let tags = asked;
  let published: string | undefined;
  if (settings.build.push) {
    const decided = await steps.decideTags(settings, clients, info.mutability, asked, defaults !== undefined);
    warnings.push(...decided.warnings);
    tags = decided.tags;
    if (decided.decision.kind === 'conflict') throw new UserError(say.conflict(decided.decision.taken, repository, info.mutability));
    if (decided.decision.kind === 'published') {
      // A re-run of a commit already published: nothing to build or push; the grant and the verification still run.
      log.info(say.published(decided.decision.tags, repository, decided.decision.digest));
      published = decided.decision.digest;
    }
  }
  const before: RunReport = { ...emptyReport('publish', settings.registry.region), registryId: registry.registryId, warnings };

  const imageRefs = steps.imageRefs(settings, clients, tags);
  const seen = (tag: string, digest: string) => log.info(say.served(repository, tag, digest));
  let image: NonNullable<RunReport['image']>;
  if (published) {
    // What a puller sees is what the registry serves: ask it, as after a push.
    const digest = await log.group(say.confirmStep(), () => steps.servedDigest(settings, clients, tags, published, seen));
    image = steps.imageOf(settings, clients, info, imageRefs, digest);
  } else {
    // Credentials in a private DOCKER_CONFIG that keeps the job's own docker setup usable; removed whatever happens.
    const built = await (async () => {
      try {
        const session = await log.group(say.loginStep(registry.host), () =>
          steps.loginForBuild(settings, clients, dockerConfig, () => log.info(say.loggedIn())),
        );
        const result = await log.group(say.buildStep(settings.build.push, clients.tools.daemonVersion), () =>
          steps.buildImage(settings, session, dockerfile, imageRefs),
        );
        const digest = result.digest;
        if (digest) await log.group(say.confirmStep(), () => steps.confirmPushed(settings, clients, tags, digest, seen));
        return result;
      } finally {
        dockerConfig.remove();
      }
    })();
    if (!built.digest) {
      log.info(say.notPushed(built.imageId));
      return before;
    }
    image = steps.imageOf(settings, clients, info, imageRefs, built.digest, built);
    log.info(say.pushed(image.imageUri));
  }
  const pushed: RunReport = { ...before, image };
  try {
    // The image each puller will pull (the pushed digest), read while the grant is written.
    const images = steps.judgePushed(settings, clients, state, info, placed, image.digest);
    const granted = await log.group(say.grantStep(repository), () =>
      steps.grantPublished(settings, clients, state, log.info).catch((error: unknown) => {
        // The push has happened: say so, so nobody rebuilds to fix a grant.
        throw error instanceof UserError ? new UserError(say.grantNotWritten(image.imageUri, error.message)) : error;
      }),
    );
    const judged = await log.group(say.verifyStep(placed, repository), async () => {
      const result = await steps.judgePublished(settings, clients, state, granted, placed, image.digest, images);
      for (const line of say.verdicts(placed.length, result.verdicts)) log.info(line);
      return result;
    });
    const simulated = await steps.crossCheckPublished(settings, placed, judged.verdicts);
    const regions = steps.replicaRegions(settings);
    if (regions.length > 0)
      await log.group(say.waitStep(repository, regions), () => steps.waitForPublishedReplicas(settings, clients, regions, image.digest, log.info));
    const verified: RunReport = {
      ...pushed,
      repositories: judged.verdicts,
      policyChanges: granted.change ? [granted.change] : [],
      warnings: [...pushed.warnings, ...simulated],
      notChecked: [...pushed.notChecked, ...placed.flatMap((puller) => puller.notChecked), ...judged.notChecked],
    };
    const pullers = placed.map((puller) => ({ placed: puller, extra: [] }));
    return withPullers(verified, pullers, settings);
  } catch (error) {
    // What was pushed still goes to the report (the digest, to pull or undo by hand).
    throw error instanceof UserError ? new FailedRun(error, pushed) : error;
  }
}
