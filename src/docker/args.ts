import type { BuildInputs } from '../inputs.js';
import type { RunnerContext } from '../runner-context.js';
import { UserError } from '../errors.js';

/** Tags when none are given: the commit SHA, plus `latest` on the default branch. */
export function defaultTags(context: Pick<RunnerContext, 'sha' | 'ref' | 'defaultBranch'>): string[] {
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
export function withOciLabels(labels: string[], context: Pick<RunnerContext, 'sha' | 'sourceUrl'>, now: Date): string[] {
  const given = new Set(labels.map((label) => label.slice(0, label.indexOf('='))));
  const standard: [string, string | undefined][] = [
    ['org.opencontainers.image.source', context.sourceUrl],
    ['org.opencontainers.image.revision', context.sha],
    ['org.opencontainers.image.created', now.toISOString()],
  ];
  const added = standard
    .filter(([name, value]) => value !== undefined && !given.has(name))
    .map(([name, value]) => `${name}=${value}`);
  return [...labels, ...added];
}

export interface BuildPlan {
  build: BuildInputs;
  imageRefs: string[];
  labels: string[];
  dockerfile: string;
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
  if (build.provenance) args.push(`--provenance=${build.provenance}`);
  args.push('--metadata-file', metadataFile);
  if (build.push) args.push('--push');
  else if (build.platforms.length <= 1) args.push('--load');
  args.push(build.context);
  return args;
}

/** `docker build …` with BuildKit (no buildx): one platform, no cache export; `docker push` follows. */
export function legacyBuildArgs(plan: BuildPlan): string[] {
  const { build } = plan;
  if (build.platforms.length > 1) {
    throw new UserError(
      `platforms: building for ${build.platforms.join(', ')} needs docker buildx, which this runner lacks. Install the buildx plugin (e.g. docker/setup-buildx-action) or build one platform.`,
    );
  }
  if (build.cacheTo.length > 0) {
    throw new UserError('cache-to: exporting a cache needs docker buildx, which this runner lacks. Install the buildx plugin or remove cache-to.');
  }
  const args = ['build', '--file', plan.dockerfile];
  args.push(...repeat('--tag', plan.imageRefs));
  args.push(...repeat('--build-arg', build.buildArgs));
  args.push(...repeat('--label', plan.labels));
  if (build.target) args.push('--target', build.target);
  if (build.platforms.length === 1) args.push('--platform', build.platforms[0]);
  args.push(...repeat('--cache-from', build.cacheFrom));
  if (build.noCache) args.push('--no-cache');
  args.push(build.context);
  return args;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The digest buildx wrote to `--metadata-file`. */
export function digestFromMetadata(metadataJson: string): string | undefined {
  try {
    const metadata = JSON.parse(metadataJson) as Record<string, unknown>;
    const digest = metadata['containerimage.digest'];
    return typeof digest === 'string' && DIGEST.test(digest) ? digest : undefined;
  } catch {
    return undefined;
  }
}

/** `docker push` ends with `<tag>: digest: sha256:… size: N`. */
export function digestFromPushOutput(output: string): string | undefined {
  const match = /digest: (sha256:[a-f0-9]{64}) size: \d+/.exec(output);
  return match?.[1];
}
