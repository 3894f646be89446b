import { log } from '../log.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { buildxArgs, digestFromMetadata, digestFromPushOutput, legacyBuildArgs, type BuildPlan } from './args.js';
import { hasBuildx, lastLines, runDocker, type DockerClient } from './cli.js';

export interface BuildResult {
  builder: 'buildx' | 'buildkit';
  /** Digest of the pushed manifest; undefined when push is off. */
  digest: string | undefined;
}

function buildFailed(result: { stderr: string; stdout: string; exitCode: number }): UserError {
  return new UserError(`docker build failed (exit ${result.exitCode}):\n${lastLines(result, 5)}\nFix the Dockerfile or build inputs; nothing was pushed.`);
}

async function buildWithBuildx(client: DockerClient, plan: BuildPlan, tempDir: string): Promise<BuildResult> {
  const metadataFile = join(tempDir, `publish-image-metadata-${process.pid}.json`);
  try {
    const result = await runDocker(client, buildxArgs(plan, metadataFile));
    if (result.exitCode !== 0) throw buildFailed(result);
    const digest = plan.build.push ? digestFromMetadata(readFileSync(metadataFile, 'utf8')) : undefined;
    if (plan.build.push && !digest) throw new UserError('docker buildx: the push finished but the metadata file names no digest. Update buildx (>= 0.8).');
    return { builder: 'buildx', digest };
  } finally {
    rmSync(metadataFile, { force: true });
  }
}

async function buildWithBuildKit(client: DockerClient, plan: BuildPlan): Promise<BuildResult> {
  if (plan.build.provenance) log.info('provenance: ignored, attestations need docker buildx.');
  const result = await runDocker(client, legacyBuildArgs(plan), { env: { DOCKER_BUILDKIT: '1' } });
  if (result.exitCode !== 0) {
    if (/buildx component is missing/.test(result.stderr)) {
      throw new UserError(
        'docker: this Docker client (23 or newer) builds with BuildKit only through buildx, which is not installed. Install the buildx plugin (apt-get install docker-buildx, or docker/setup-buildx-action), or put a Docker 20.10 client first on PATH.',
      );
    }
    throw buildFailed(result);
  }
  if (!plan.build.push) return { builder: 'buildkit', digest: undefined };

  const digests = new Set<string>();
  for (const imageRef of plan.imageRefs) {
    const push = await runDocker(client, ['push', imageRef]);
    if (push.exitCode !== 0) throw new UserError(`docker push ${imageRef} failed:\n${lastLines(push)}`);
    const digest = digestFromPushOutput(push.stdout);
    if (!digest) throw new UserError(`docker push ${imageRef}: the output names no digest.`);
    digests.add(digest);
  }
  if (digests.size !== 1) throw new UserError(`docker push: tags resolved to different digests (${[...digests].join(', ')}).`);
  return { builder: 'buildkit', digest: [...digests][0] };
}

/** buildx when the client has it (it pushes itself), else `docker build` with BuildKit and `docker push` per tag. */
export async function buildAndPush(client: DockerClient, plan: BuildPlan, tempDir: string): Promise<BuildResult> {
  return (await hasBuildx(client)) ? buildWithBuildx(client, plan, tempDir) : buildWithBuildKit(client, plan);
}
