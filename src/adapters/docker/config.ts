import { existsSync, lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { log } from '../../log.js';
import { inert } from '../../util/inert.js';
import { JsonTextError, parseJsonText } from '../../util/json.js';

/**
 * The private DOCKER_CONFIG the build runs with. It keeps what the job already set up, and keeps
 * the ECR password away from the runner user's own config and credential store:
 *
 * - config.json is a copy of the user's (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`):
 *   earlier logins (`auths`), `credHelpers`, `proxies`, `aliases`, `currentContext`,
 *   `cliPluginsExtraDirs` … all stay usable. The user's file is only read.
 * - `credsStore` (secretservice, pass, desktop, …) is NOT copied, or `docker login` would store the
 *   ECR password in it. Each registry the user logged in to through it becomes a `credHelpers`
 *   entry naming the same store, so those logins are still read from it, and nothing is written to it.
 * - The ECR host's own entries (auths, credHelpers) are dropped: our login is the one that counts.
 * - `auths` always holds the ECR login before any docker command runs: with no auth configured at
 *   all, the docker CLI would pick a default store by itself (`docker-credential-secretservice` or
 *   `-pass` on PATH) and save the password there.
 * - `cli-plugins` and `contexts` are links to the user's folders (docker looks for plugins only
 *   under DOCKER_CONFIG, so buildx installed by setup-buildx-action stays found).
 * - BUILDX_CONFIG keeps buildx on the user's builder state (`$BUILDX_CONFIG`, else
 *   `$DOCKER_CONFIG/buildx`, else `~/.docker/buildx`): the builder setup-buildx-action created.
 *
 * The folder (0700, config 0600) is removed when the step ends, in `post:` and on SIGTERM; links are
 * removed, never followed.
 */
export interface PrivateDockerConfig {
  dir: string;
  /** Environment for every docker command: DOCKER_CONFIG, and BUILDX_CONFIG when the user has builder state. */
  env: Record<string, string>;
}

type ConfigFile = Record<string, unknown> & {
  auths?: Record<string, Record<string, unknown>>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
};

/** The runner user's docker config folder, as the docker CLI finds it. */
export function userDockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG ? resolve(env.DOCKER_CONFIG) : join(env.HOME || homedir(), '.docker');
}

/** docker's ConvertToHostname: `https://host/v1/` → `host`. */
export function registryHostname(key: string): string {
  return key
    .replace(/^https?:\/\//, '')
    .split('/')[0]
    .toLowerCase();
}

const MAX_CONFIG_BYTES = 1024 * 1024;

/** The user's config.json, or `{}` when there is none (or it cannot be used: then a warning says so). */
function readUserConfig(file: string): ConfigFile {
  if (!existsSync(file)) return {};
  try {
    const stat = statSync(file);
    // A FIFO or a device would block or never end: only a regular file is read.
    if (!stat.isFile() || stat.size > MAX_CONFIG_BYTES) throw new Error('not a regular file under 1 MiB');
    // Not JSON.parse: its message quotes the text around the fault, and this file holds credentials
    // (`auths`). parseJsonText says only the line and column.
    const parsed = parseJsonText(readFileSync(file, 'utf8'), { maxDepth: 64 });
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as ConfigFile;
  } catch (error) {
    const problem = error instanceof JsonTextError ? `not valid JSON: ${error.message}` : inert((error as Error).message, 200);
    log.warning(`docker config ${inert(file)} could not be read (${problem}); the build runs without the logins and settings it holds.`);
    return {};
  }
}

/** The private config: the user's settings, minus their credential store and anything about the ECR host. */
export function privateConfig(user: ConfigFile, ecrHost: string, ecrAuth: string): ConfigFile {
  const host = ecrHost.toLowerCase();
  const { auths = {}, credHelpers = {}, credsStore, ...settings } = user;
  const keptAuths = Object.fromEntries(Object.entries(auths).filter(([key]) => registryHostname(key) !== host));
  const keptHelpers: Record<string, string> = Object.fromEntries(Object.entries(credHelpers).filter(([key]) => registryHostname(key) !== host));
  if (typeof credsStore === 'string' && credsStore) {
    for (const [key, entry] of Object.entries(keptAuths)) {
      const hostname = registryHostname(key);
      // An entry without `auth` is a login kept in the store: read it from there, through a helper entry.
      if (!(hostname in keptHelpers) && !(typeof entry === 'object' && entry && 'auth' in entry)) keptHelpers[hostname] = credsStore;
    }
  }
  return {
    ...settings,
    auths: { ...keptAuths, [ecrHost]: { auth: ecrAuth } },
    ...(Object.keys(keptHelpers).length > 0 ? { credHelpers: keptHelpers } : {}),
  };
}

function linkIfPresent(target: string, link: string): boolean {
  try {
    if (!lstatSync(target).isDirectory() && !statSync(target).isDirectory()) return false;
  } catch {
    return false;
  }
  symlinkSync(target, link, 'dir');
  return true;
}

/**
 * Creates the private DOCKER_CONFIG in `tempDir`, already holding the ECR login (the password goes
 * into this folder only). `onCreated` runs before anything is written into it, so the caller can
 * record the folder for removal first.
 */
export function createPrivateDockerConfig(
  tempDir: string,
  env: NodeJS.ProcessEnv,
  ecr: { host: string; username: string; password: string },
  onCreated: (dir: string) => void = () => undefined,
): PrivateDockerConfig {
  const userDir = userDockerConfigDir(env);
  const user = readUserConfig(join(userDir, 'config.json'));
  const dir = mkdtempSync(join(tempDir, 'publish-image-docker-'));
  onCreated(dir);
  const auth = Buffer.from(`${ecr.username}:${ecr.password}`).toString('base64');
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(privateConfig(user, ecr.host, auth), null, 2)}\n`, { mode: 0o600 });

  const kept: string[] = [];
  const logins = Object.keys(user.auths ?? {}).filter((key) => registryHostname(key) !== ecr.host.toLowerCase());
  if (logins.length > 0) kept.push(`logins to ${logins.map((key) => inert(registryHostname(key))).join(', ')}`);
  if (user.credsStore) kept.push(`credential store ${inert(user.credsStore)} (read only)`);
  if (user.credHelpers && Object.keys(user.credHelpers).length > 0) kept.push('credential helpers');
  if (linkIfPresent(join(userDir, 'cli-plugins'), join(dir, 'cli-plugins'))) kept.push(`CLI plugins from ${inert(join(userDir, 'cli-plugins'))}`);
  if (linkIfPresent(join(userDir, 'contexts'), join(dir, 'contexts'))) kept.push('docker contexts');

  const dockerEnv: Record<string, string> = { DOCKER_CONFIG: dir };
  const buildxConfig = env.BUILDX_CONFIG ? resolve(env.BUILDX_CONFIG) : join(userDir, 'buildx');
  if (env.BUILDX_CONFIG || existsSync(buildxConfig)) {
    dockerEnv.BUILDX_CONFIG = buildxConfig;
    kept.push(`buildx builder state in ${inert(buildxConfig)}`);
  }
  log.info(`Private DOCKER_CONFIG ${dir} (removed when the step ends)${kept.length > 0 ? `, keeping ${kept.join('; ')}` : ''}.`);
  return { dir, env: dockerEnv };
}
