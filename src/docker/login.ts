import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { lastLines, runDocker, type DockerClient } from './cli.js';

/**
 * A DOCKER_CONFIG of our own, so registry credentials never land in the runner user's
 * ~/.docker/config.json (self-hosted runners keep it between jobs). Deleted at the end and in `post:`.
 */
export function createPrivateDockerConfig(tempDir: string): string {
  const dir = mkdtempSync(join(tempDir, 'publish-image-docker-'));
  writeFileSync(join(dir, 'config.json'), '{}\n', { mode: 0o600 });
  return dir;
}

export async function dockerLogin(client: DockerClient, endpoint: string, username: string, password: string): Promise<void> {
  const result = await runDocker(client, ['login', '--username', username, '--password-stdin', endpoint], {
    input: Buffer.from(password),
    silent: true,
  });
  if (result.exitCode !== 0) {
    throw new UserError(`docker login ${endpoint} failed: ${lastLines(result, 1)}. Check that the runner can reach the registry and trusts its certificate.`);
  }
}
