import { UserError } from '../../errors.js';
import { inert } from '../../util/inert.js';
import { outputLine, runDocker, type DockerClient } from './cli.js';

/**
 * `docker login --password-stdin` into the private DOCKER_CONFIG (src/adapters/docker/config.ts), which
 * already holds the same login: this checks it with the registry before the build, and it writes
 * only there (that config has no credential store).
 */
export async function dockerLogin(client: DockerClient, endpoint: string, username: string, password: string): Promise<void> {
  const result = await runDocker(client, ['login', '--username', username, '--password-stdin', endpoint], {
    input: Buffer.from(password),
    silent: true,
  });
  if (result.exitCode !== 0) {
    throw new UserError(
      `docker login ${inert(endpoint, 200)} failed: ${outputLine(result)}. Check that the runner can reach the registry and trusts its certificate.`,
    );
  }
}
