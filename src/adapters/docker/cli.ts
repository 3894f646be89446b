import * as exec from '@actions/exec';
import { UserError } from '../../errors.js';

export interface DockerResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** How to run the docker client: which binary, and the environment (with the private DOCKER_CONFIG). */
export interface DockerClient {
  path: string;
  env: Record<string, string>;
}

export async function runDocker(
  client: DockerClient,
  args: string[],
  options: { input?: Buffer; silent?: boolean; env?: Record<string, string> } = {},
): Promise<DockerResult> {
  return exec.getExecOutput(client.path, args, {
    env: { ...client.env, ...options.env },
    input: options.input,
    silent: options.silent ?? false,
    ignoreReturnCode: true,
  });
}

/** The lines of a failed command worth showing: the last few non-empty lines of stderr (or stdout). */
export function lastLines(result: DockerResult, count = 3): string {
  const text = result.stderr.trim() || result.stdout.trim();
  return text
    .split('\n')
    .filter((line) => line.trim())
    .slice(-count)
    .join('\n');
}

export async function findDocker(env: NodeJS.ProcessEnv): Promise<DockerClient> {
  const io = await import('@actions/io');
  const path = await io.which('docker', false);
  if (!path)
    throw new UserError('docker: no docker client on PATH. Install Docker on the runner (apt-get install docker.io) or use a runner image that has it.');
  const clean = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { path, env: clean };
}

/** Fails with one clear message when the daemon is unreachable, before anything is written. */
export async function assertDaemonReachable(client: DockerClient): Promise<string> {
  const result = await runDocker(client, ['version', '--format', '{{.Server.Version}}'], { silent: true });
  if (result.exitCode !== 0 || !result.stdout.trim()) {
    const host = client.env.DOCKER_HOST ?? 'the default socket /var/run/docker.sock';
    throw new UserError(
      `Docker daemon: cannot reach it at ${host} (${lastLines(result, 1) || 'no answer'}). Start dockerd on the runner, or point DOCKER_HOST at a running daemon.`,
    );
  }
  return result.stdout.trim();
}

export async function hasBuildx(client: DockerClient): Promise<boolean> {
  const result = await runDocker(client, ['buildx', 'version'], { silent: true });
  return result.exitCode === 0;
}
