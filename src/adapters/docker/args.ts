import type { BuildInputs, RunContext } from '../../domain/build/inputs.js';
import { UserError } from '../../errors.js';
import { inert } from '../../util/inert.js';
import { refNameAsTag } from '../../domain/build/tags.js';

/**
 * Tags when none are given. A tag push (`refs/tags/v1.2.3`): the git tag (`v1.2.3`). Otherwise the
 * commit SHA, plus `latest` on the default branch (a pull request's `refs/pull/N/merge` is not one).
 */
export function defaultTags(context: Pick<RunContext, 'sha' | 'ref' | 'defaultBranch'>): string[] {
  if (context.ref?.startsWith('refs/tags/')) {
    const name = context.ref.slice('refs/tags/'.length);
    const tag = refNameAsTag(name);
    if (!tag) throw new UserError(`tags: none given, and the git tag "${inert(name)}" leaves no valid image tag. Give \`tags:\` explicitly.`);
    return [tag];
  }
  if (!context.sha) {
    throw new UserError('tags: none given and GITHUB_SHA is not set. Give `tags:` explicitly, e.g. `tags: v1.2.3`.');
  }
  const tags = [context.sha];
  const onDefaultBranch = context.defaultBranch
    ? context.ref === `refs/heads/${context.defaultBranch}`
    : context.ref === 'refs/heads/main' || context.ref === 'refs/heads/master';
  if (onDefaultBranch) tags.push('latest');
  return tags;
}

/** Standard OCI labels from the runner, unless the user gave the same label. */
export function withOciLabels(labels: string[], context: Pick<RunContext, 'sha' | 'sourceUrl'>, now: Date): string[] {
  const given = new Set(labels.map((label) => label.slice(0, label.indexOf('='))));
  const standard: [string, string | undefined][] = [
    ['org.opencontainers.image.source', context.sourceUrl],
    ['org.opencontainers.image.revision', context.sha],
    ['org.opencontainers.image.created', now.toISOString()],
  ];
  const added = standard.filter(([name, value]) => value !== undefined && !given.has(name)).map(([name, value]) => `${name}=${value}`);
  return [...labels, ...added];
}

export interface BuildPlan {
  build: BuildInputs;
  imageRefs: string[];
  labels: string[];
  dockerfile: string;
  /** `--secret` specifications (`id=…,src=<file>`): values are in files, never on the command line. */
  secrets: string[];
}

function repeat(flag: string, values: string[]): string[] {
  return values.flatMap((value) => [flag, value]);
}

/** `docker buildx build …`: pushes itself and writes the digest to the metadata file. */
export function buildxArgs(plan: BuildPlan, metadataFile: string): string[] {
  const { build } = plan;
  const args = ['buildx', 'build', '--file', plan.dockerfile];
  args.push(...repeat('--tag', plan.imageRefs));
  args.push(...repeat('--build-arg', build.buildArgs));
  args.push(...repeat('--label', plan.labels));
  if (build.target) args.push('--target', build.target);
  if (build.platforms.length > 0) args.push('--platform', build.platforms.join(','));
  args.push(...repeat('--cache-from', build.cacheFrom));
  args.push(...repeat('--cache-to', build.cacheTo));
  if (build.noCache) args.push('--no-cache');
  args.push(...repeat('--secret', plan.secrets));
  args.push(...repeat('--ssh', build.ssh));
  args.push(...repeat('--build-context', build.buildContexts));
  // `false` unless opted in: default provenance makes an image index, which Lambda and others reject.
  if (build.provenance) args.push(`--provenance=${build.provenance}`);
  args.push('--metadata-file', metadataFile);
  if (build.push) args.push('--push');
  else if (build.platforms.length <= 1) args.push('--load');
  args.push(build.context);
  return args;
}

/** `docker build …` with BuildKit (no buildx): one platform, no cache export; `docker push` follows. */
export function legacyBuildArgs(plan: BuildPlan, iidFile?: string): string[] {
  const { build } = plan;
  if (build.platforms.length > 1) {
    throw new UserError(
      `platforms: building for ${build.platforms.join(', ')} needs docker buildx, which this runner lacks. Install the buildx plugin (e.g. docker/setup-buildx-action) or build one platform.`,
    );
  }
  if (build.cacheTo.length > 0) {
    throw new UserError('cache-to: exporting a cache needs docker buildx, which this runner lacks. Install the buildx plugin or remove cache-to.');
  }
  if (build.buildContexts.length > 0) {
    throw new UserError(
      'build-contexts: extra build contexts need docker buildx, which this runner lacks. Install the buildx plugin (e.g. docker/setup-buildx-action) or remove build-contexts.',
    );
  }
  const args = ['build', '--file', plan.dockerfile];
  args.push(...repeat('--tag', plan.imageRefs));
  args.push(...repeat('--build-arg', build.buildArgs));
  args.push(...repeat('--label', plan.labels));
  if (build.target) args.push('--target', build.target);
  if (build.platforms.length === 1) args.push('--platform', build.platforms[0]);
  args.push(...repeat('--cache-from', build.cacheFrom));
  if (build.noCache) args.push('--no-cache');
  args.push(...repeat('--secret', plan.secrets));
  args.push(...repeat('--ssh', build.ssh));
  if (iidFile) args.push('--iidfile', iidFile);
  args.push(build.context);
  return args;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The digest buildx wrote to `--metadata-file`. */
export function digestFromMetadata(metadataJson: string): string | undefined {
  return metadataField(metadataJson, 'containerimage.digest');
}

/** The image ID (config digest) buildx wrote to `--metadata-file`. */
export function imageIdFromMetadata(metadataJson: string): string | undefined {
  return metadataField(metadataJson, 'containerimage.config.digest');
}

function metadataField(metadataJson: string, field: string): string | undefined {
  try {
    const metadata = JSON.parse(metadataJson) as Record<string, unknown>;
    const value = metadata[field];
    return typeof value === 'string' && DIGEST.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** build-push-action's `metadata` for the path without buildx: the same keys buildx writes. */
export function legacyMetadata(digest: string | undefined, imageId: string | undefined, imageRefs: string[]): string {
  const metadata: Record<string, string> = {};
  if (imageId) metadata['containerimage.config.digest'] = imageId;
  if (digest) metadata['containerimage.digest'] = digest;
  metadata['image.name'] = imageRefs.join(',');
  return JSON.stringify(metadata);
}

/** `docker push` ends with `<tag>: digest: sha256:… size: N`. */
export function digestFromPushOutput(output: string): string | undefined {
  const match = /digest: (sha256:[a-f0-9]{64}) size: \d+/.exec(output);
  return match?.[1];
}
