import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The runner's user as a job leaves it before this action runs: a HOME with ~/.docker (config.json,
 * cli-plugins, buildx builder state), a bin folder for credential helpers, logins made with the
 * real docker CLI.
 */
export interface RunnerUser {
  home: string;
  dockerDir: string;
  bin: string;
  /** The environment the user's own docker commands run with (the test's engine, this HOME, bin first on PATH). */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

export function runnerUser(dockerHost: string, dockerClientDir: string, config?: Record<string, unknown>): RunnerUser {
  const home = mkdtempSync(join(tmpdir(), 'runner-home-'));
  const dockerDir = join(home, '.docker');
  const bin = join(home, 'bin');
  mkdirSync(dockerDir, { mode: 0o700 });
  mkdirSync(bin);
  if (config) writeFileSync(join(dockerDir, 'config.json'), `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
  return {
    home,
    dockerDir,
    bin,
    env(extra = {}) {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, DOCKER_HOST: dockerHost, PATH: `${bin}:${dockerClientDir}:${process.env.PATH}`, ...extra };
      if (!('DOCKER_CONFIG' in extra)) delete env.DOCKER_CONFIG;
      return env;
    },
  };
}

/** `docker login` as the user, with their normal config (and whatever credential store it names). */
export function loginAsUser(user: RunnerUser, host: string, username: string, password: string, extraEnv: NodeJS.ProcessEnv = {}): void {
  execFileSync('docker', ['login', '--username', username, '--password-stdin', host], {
    env: user.env(extraEnv),
    input: password,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Every entry under `dir` (files by content hash, links by target, folders), to compare byte for byte. */
export function snapshot(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (path: string, relative: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) entries[relative] = `link -> ${readlinkSync(path)}`;
    else if (stat.isDirectory()) {
      entries[relative || '.'] = `dir ${(stat.mode & 0o777).toString(8)}`;
      for (const name of readdirSync(path).sort()) walk(join(path, name), relative ? `${relative}/${name}` : name);
    } else entries[relative] = `file ${(stat.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
  };
  if (existsSync(dir)) walk(dir, '');
  return entries;
}

/** What setup-buildx-action leaves in the builder state folder: a docker-container builder, in use. */
export function writeBuilderState(buildxDir: string, name = 'ci-builder'): void {
  mkdirSync(join(buildxDir, 'instances'), { recursive: true });
  writeFileSync(
    join(buildxDir, 'instances', name),
    JSON.stringify({
      Name: name,
      Driver: 'docker-container',
      Nodes: [{ Name: `${name}0`, Endpoint: 'unix:///var/run/docker.sock', Platforms: null, Flags: null, DriverOpts: {}, Files: null }],
      Dynamic: false,
    }),
  );
  writeFileSync(join(buildxDir, 'current'), JSON.stringify({ Key: 'unix:///var/run/docker.sock', Name: name, Global: false }));
}
