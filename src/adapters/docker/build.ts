import { log } from '../../log.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { cancellableSleep } from '../../util/retry.js';
import { inert, safeJson } from '../../util/inert.js';
import { buildxArgs, digestFromMetadata, digestFromPushOutput, imageIdFromMetadata, legacyBuildArgs, legacyMetadata, type BuildPlan } from './args.js';
import { hasBuildx, lastLines, runDocker, type DockerClient, type DockerResult } from './cli.js';

export interface BuildResult {
  builder: 'buildx' | 'buildkit';
  /** Digest of the pushed manifest; undefined when push is off. */
  digest: string | undefined;
  /** The image ID (config digest), as build-push-action's `imageid`. */
  imageId: string | undefined;
  /** build-push-action's `metadata`: buildx's metadata file, or the same keys without buildx. */
  metadata: string;
}

/** How pushes are retried: bounded attempts, exponential backoff with jitter. Injectable for tests. */
export interface PushRetry {
  attempts: number;
  delayMs(failedAttempt: number): number;
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_PUSH_RETRY: PushRetry = {
  attempts: 4,
  // 1 s, 2 s, 4 s (each 75-100 %): about 7 s in all before the last attempt.
  delayMs: (failed) => Math.min(10_000, 1000 * 2 ** (failed - 1)) * (0.75 + Math.random() / 4),
  sleep: (ms) => cancellableSleep(ms, 'docker push'),
};

/**
 * What in a failed push's output says the registry or the network failed for now (5xx, 429,
 * a reset or timed-out connection), as opposed to a refusal (denied, unauthorized, an immutable
 * tag, a bad manifest) that another attempt would not change. Returns the words that matched.
 */
export function transientPushFailure(output: string): string | undefined {
  const patterns = [
    /received unexpected HTTP status: (?:5\d\d|429)[^\n]*/i,
    /unexpected status(?: code)?(?: from [A-Z]+ request to \S+)?: (?:5\d\d|429)[^\n]*/i,
    /\b(?:500 Internal Server Error|502 Bad Gateway|503 Service Unavailable|504 Gateway Time-?out)\b/i,
    /\b429 Too Many Requests\b|toomanyrequests[^\n]*/i,
    /connection reset by peer/i,
    /broken pipe/i,
    /i\/o timeout|TLS handshake timeout|Client\.Timeout exceeded[^\n]*|context deadline exceeded|timeout awaiting response headers/i,
    /\bunexpected EOF\b/i,
    /"?: EOF\s*$/im,
    /connection refused/i,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(output);
    if (match) return match[0].trim().replace(/^"?: /, '');
  }
  return undefined;
}

function buildFailed(result: DockerResult): UserError {
  return new UserError(`docker build failed (exit ${result.exitCode}):\n${lastLines(result, 5)}\nFix the Dockerfile or build inputs; nothing was pushed.`);
}

function notPushed(what: string, attempts: number, result: DockerResult, pushed: string[], transient: boolean): UserError {
  const already = pushed.length > 0 ? ` Already pushed: ${pushed.join(', ')}.` : '';
  const tries = attempts > 1 ? ` ${attempts} times` : '';
  const advice = transient
    ? 'The registry (or the network to it) kept failing; re-run the job.'
    : 'Another attempt would fail the same way: fix what the registry says.';
  return new UserError(`The image was built but not pushed: ${what} failed${tries}, the last time with:\n${lastLines(result, 3)}\n${advice}${already}`);
}

/**
 * Runs `attempt` until it succeeds, fails for good, or runs out of attempts. Each failed attempt is
 * logged with what failed and when the next one starts.
 */
async function withPushRetries(
  what: string,
  attempt: () => Promise<DockerResult>,
  isPushFailure: (result: DockerResult) => boolean,
  retry: PushRetry,
  pushed: string[],
): Promise<DockerResult> {
  for (let count = 1; ; count++) {
    const result = await attempt();
    if (result.exitCode === 0) {
      if (count > 1) log.info(`${what}: pushed on attempt ${count} of ${retry.attempts}.`);
      return result;
    }
    if (!isPushFailure(result)) return result;
    const output = `${result.stderr}\n${result.stdout}`;
    const reason = transientPushFailure(output);
    if (!reason) throw notPushed(what, count, result, pushed, false);
    if (count >= retry.attempts) throw notPushed(what, count, result, pushed, true);
    const delay = retry.delayMs(count);
    log.info(`${what}: attempt ${count} of ${retry.attempts} failed (${inert(reason, 200)}); retrying in ${(delay / 1000).toFixed(1)}s.`);
    await retry.sleep(delay);
  }
}

/** buildx pushes as part of the build: a failure in its push step is retried (the rebuild is cached). */
async function buildWithBuildx(client: DockerClient, plan: BuildPlan, tempDir: string, retry: PushRetry): Promise<BuildResult> {
  const metadataFile = join(tempDir, `publish-image-metadata-${process.pid}.json`);
  try {
    const isPushFailure = (result: DockerResult): boolean =>
      plan.build.push && /failed to push|error pushing|pushing manifest|failed to export image/i.test(`${result.stderr}\n${result.stdout}`);
    const result = await withPushRetries('docker buildx build --push', () => runDocker(client, buildxArgs(plan, metadataFile)), isPushFailure, retry, []);
    if (result.exitCode !== 0) throw buildFailed(result);
    let metadata = '{}';
    try {
      metadata = readFileSync(metadataFile, 'utf8');
    } catch {
      // Older buildx writes no metadata file without a push; the digest check below says what is missing.
    }
    const digest = plan.build.push ? digestFromMetadata(metadata) : undefined;
    if (plan.build.push && !digest) throw new UserError('docker buildx: the push finished but the metadata file names no digest. Update buildx (>= 0.8).');
    return { builder: 'buildx', digest, imageId: imageIdFromMetadata(metadata), metadata: compactJson(metadata) };
  } finally {
    rmSync(metadataFile, { force: true });
  }
}

/** buildx's metadata file, compact, for the `metadata` output: escaped as the JSON report is (it names what the build chose). */
function compactJson(text: string): string {
  try {
    return safeJson(JSON.parse(text));
  } catch {
    return '{}';
  }
}

async function buildWithBuildKit(client: DockerClient, plan: BuildPlan, tempDir: string, retry: PushRetry): Promise<BuildResult> {
  if (plan.build.provenance && plan.build.provenance !== 'false')
    log.info(`provenance: ${plan.build.provenance} ignored: attestations need docker buildx (without it the image has none).`);
  const iidFile = join(tempDir, `publish-image-iid-${process.pid}.txt`);
  let imageId: string | undefined;
  try {
    const result = await runDocker(client, legacyBuildArgs(plan, iidFile), { env: { DOCKER_BUILDKIT: '1' } });
    if (result.exitCode !== 0) {
      if (/buildx component is missing/.test(result.stderr)) {
        throw new UserError(
          'docker: this Docker client (23 or newer) builds with BuildKit only through buildx, which is not installed. Install the buildx plugin (apt-get install docker-buildx, or docker/setup-buildx-action), or put a Docker 20.10 client first on PATH.',
        );
      }
      throw buildFailed(result);
    }
    try {
      imageId = readFileSync(iidFile, 'utf8').trim() || undefined;
    } catch {
      imageId = undefined;
    }
  } finally {
    rmSync(iidFile, { force: true });
  }
  if (!plan.build.push) return { builder: 'buildkit', digest: undefined, imageId, metadata: legacyMetadata(undefined, imageId, plan.imageRefs) };

  const digests = new Set<string>();
  const pushed: string[] = [];
  for (const imageRef of plan.imageRefs) {
    const push = await withPushRetries(
      `docker push ${imageRef}`,
      () => runDocker(client, ['push', imageRef]),
      () => true,
      retry,
      pushed,
    );
    const digest = digestFromPushOutput(push.stdout);
    if (!digest) throw new UserError(`docker push ${imageRef}: the output names no digest.`);
    digests.add(digest);
    pushed.push(imageRef);
  }
  if (digests.size !== 1) throw new UserError(`docker push: tags resolved to different digests (${[...digests].join(', ')}).`);
  const digest = [...digests][0];
  return { builder: 'buildkit', digest, imageId, metadata: legacyMetadata(digest, imageId, plan.imageRefs) };
}

/** buildx when the client has it (it pushes itself), else `docker build` with BuildKit and `docker push` per tag. */
export async function buildAndPush(client: DockerClient, plan: BuildPlan, tempDir: string, retry: PushRetry = DEFAULT_PUSH_RETRY): Promise<BuildResult> {
  return (await hasBuildx(client)) ? buildWithBuildx(client, plan, tempDir, retry) : buildWithBuildKit(client, plan, tempDir, retry);
}
