import { lstatSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute } from 'node:path';

/**
 * What the main step hands the `post:` step, and how `post:` recognises a folder as ours. Nothing here
 * loads the toolkit: the `post:` step runs after every run of the action, most have nothing to clean,
 * and then it ends without loading more than this (src/post.ts).
 */

/** The one place that names what the main step hands to the `post:` step. */
export const DOCKER_CONFIG = 'docker-config';

/** `createPrivateDockerConfig` makes `<temp>/publish-image-docker-XXXXXX` (mkdtemp: six characters). */
export const DOCKER_CONFIG_NAME = /^publish-image-docker-[A-Za-z0-9]{6}$/;
/** A file inside the folder that says we made it; `post:` deletes nothing without it. */
export const MARKER = '.publish-image-owned';
export const markerText = (dir: string): string => `publish-image private DOCKER_CONFIG ${dir}\n`;

/** Where temporary folders of this job live: RUNNER_TEMP, else the system's (as in settings/run-context.ts). */
function tempRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.RUNNER_TEMP, env.TMPDIR, '/tmp', tmpdir()].filter((root): root is string => Boolean(root));
}

/**
 * Why `dir` is not a private DOCKER_CONFIG this action made, or undefined when it is: an absolute
 * path named `publish-image-docker-XXXXXX` directly in the job's temp folder, a real directory (not
 * a link) owned by us, holding our marker file that names this very path.
 */
export function notOurDockerConfig(dir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!isAbsolute(dir) || dir.includes('\0')) return 'it is not an absolute path';
  if (!DOCKER_CONFIG_NAME.test(basename(dir))) return 'its name is not publish-image-docker-XXXXXX';
  const parent = dirname(dir);
  const roots = new Set<string>();
  for (const root of tempRoots(env)) {
    roots.add(root);
    try {
      roots.add(realpathSync(root));
    } catch {
      // A temp root that does not exist holds nothing of ours.
    }
  }
  if (!roots.has(parent)) return "it is not in the job's temp folder (RUNNER_TEMP)";
  let stats;
  try {
    stats = lstatSync(dir);
  } catch {
    return 'it does not exist';
  }
  if (!stats.isDirectory()) return 'it is not a directory (or is a link)';
  if (process.getuid && stats.uid !== process.getuid()) return 'it belongs to another user';
  try {
    const marker = `${dir}/${MARKER}`;
    if (!lstatSync(marker).isFile() || readFileSync(marker, 'utf8') !== markerText(dir)) return 'its marker file is not ours';
  } catch {
    return 'it has no marker file of ours';
  }
  return undefined;
}

export type SavedCleanup =
  { kind: 'none' } | { kind: 'gone'; dir: string } | { kind: 'removed'; dir: string } | { kind: 'refused'; dir: string; reason: string };

/**
 * In `post:`: the state the main step saved is outside input (a log line can forge
 * `::save-state`), so the folder is deleted only when it is recognisably ours.
 */
export function removeSavedDockerConfigDir(env: NodeJS.ProcessEnv = process.env): SavedCleanup {
  // As the runner hands saved state back, and as @actions/core's getState reads it: STATE_<name>.
  const dir = env[`STATE_${DOCKER_CONFIG}`] ?? '';
  if (!dir) return { kind: 'none' };
  let exists = true;
  try {
    lstatSync(dir);
  } catch {
    exists = false;
  }
  if (!exists) return { kind: 'gone', dir };
  const reason = notOurDockerConfig(dir, env);
  if (reason) return { kind: 'refused', dir, reason };
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  return { kind: 'removed', dir };
}
