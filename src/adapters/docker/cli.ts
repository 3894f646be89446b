import * as exec from '@actions/exec';
import { UserError } from '../../errors.js';
import { log } from '../../log.js';
import { inert, inertEnds, outputExcerpt } from '../../util/inert.js';
import { ShownOutput, Tail } from './output.js';

export interface DockerResult {
  exitCode: number;
  /** The start and the end of each stream (see Tail). */
  stdout: string;
  stderr: string;
  /** How long each stream was in all, when it was longer than what is kept. */
  lengths?: { stdout: number; stderr: number };
}

/** How to run the docker client: which binary, and the environment (with the private DOCKER_CONFIG). */
export interface DockerClient {
  path: string;
  env: Record<string, string>;
}

/**
 * Runs the docker client. Its output is outside text: unless `silent`, it is shown in the log through
 * the logger (escaped, bounded by ShownOutput), never written raw; the result keeps the end of each
 * stream (Tail), enough to read a digest or a status and to quote the last lines of a failure.
 */
export async function runDocker(
  client: DockerClient,
  args: string[],
  options: { input?: Buffer; silent?: boolean; env?: Record<string, string> } = {},
): Promise<DockerResult> {
  const stdout = new Tail();
  const stderr = new Tail();
  const shown = options.silent ? undefined : new ShownOutput((line) => log.info(line));
  if (shown) log.info(`[command]${inert([client.path, ...args].join(' '), 4000)}`);
  const exitCode = await exec.exec(client.path, args, {
    env: { ...client.env, ...options.env },
    input: options.input,
    silent: true,
    ignoreReturnCode: true,
    listeners: {
      stdout: (data: Buffer) => {
        const text = data.toString('utf8');
        stdout.add(text);
        shown?.stdout(text);
      },
      stderr: (data: Buffer) => {
        const text = data.toString('utf8');
        stderr.add(text);
        shown?.stderr(text);
      },
    },
  });
  shown?.end();
  return { exitCode, stdout: stdout.toString(), stderr: stderr.toString(), lengths: { stdout: stdout.length, stderr: stderr.length } };
}

/** The output of a failed command worth quoting (stderr, else stdout), and how long it was in all. */
function failureOutput(result: DockerResult): { text: string; length: number } {
  const stderr = result.stderr.trim();
  if (stderr) return { text: stderr, length: Math.max(stderr.length, result.lengths?.stderr ?? 0) };
  const stdout = result.stdout.trim();
  return { text: stdout, length: Math.max(stdout.length, result.lengths?.stdout ?? 0) };
}

/** The last lines of a failed command, bounded (see outputExcerpt). */
export function lastLines(result: DockerResult, count = 3): string {
  return outputExcerpt(failureOutput(result).text, count);
}

/**
 * A failed command's output on one line, to quote inside a sentence: inert (its line breaks shown
 * as \u000a, so a registry's answer cannot start a line), its start and its end, at most ~300
 * characters, with its whole length said.
 */
export function outputLine(result: DockerResult): string {
  const { text, length } = failureOutput(result);
  return inertEnds(text, 300, length);
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
      `Docker daemon: cannot reach it at ${inert(host)} (${outputLine(result) || 'no answer'}). Start dockerd on the runner, or point DOCKER_HOST at a running daemon.`,
    );
  }
  return result.stdout.trim();
}

export async function hasBuildx(client: DockerClient): Promise<boolean> {
  const result = await runDocker(client, ['buildx', 'version'], { silent: true });
  return result.exitCode === 0;
}
