import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import { quoted } from '../util/inert.js';
import { MANIFEST_LIMITS } from '../domain/manifest.js';
import { JsonTextError, parseJsonText } from '../util/json.js';

/** Where a manifest may live: the checked-out workspace (GITHUB_WORKSPACE), else the current directory. */
export function workspaceRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.GITHUB_WORKSPACE || process.cwd();
}

const quote = (value: string, max = 120): string => quoted(value, max);

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function readLimited(fd: number, shown: string): Buffer {
  const stats = fstatSync(fd);
  if (!stats.isFile())
    throw new UserError(`manifest: ${shown} is ${kindOf(stats)}, not a regular file. Give the path of the manifest JSON file in the workspace.`);
  if (stats.size > MANIFEST_LIMITS.maxBytes) {
    throw new UserError(
      `manifest: ${shown} is ${stats.size} bytes; the limit is ${MANIFEST_LIMITS.maxBytes} (5 MiB). Give the template manifest, not another file.`,
    );
  }
  // The file may grow while it is read: never take more than the limit.
  const buffer = Buffer.alloc(Math.min(stats.size, MANIFEST_LIMITS.maxBytes) + 1);
  let length = 0;
  for (;;) {
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
    if (length === buffer.length) {
      if (length > MANIFEST_LIMITS.maxBytes)
        throw new UserError(`manifest: ${shown} is larger than ${MANIFEST_LIMITS.maxBytes} bytes (5 MiB). Give the template manifest, not another file.`);
      break;
    }
  }
  return buffer.subarray(0, length);
}

/**
 * Reads the template manifest: a regular file inside the workspace (symlinks resolved, so one that
 * leads out is refused), at most 5 MiB and 64 levels deep. Every failure names the input and what
 * was expected; a JSON error says the line and column, never the file's content.
 */
export function readManifestFile(path: string, workspace: string = workspaceRoot()): unknown {
  const shown = quote(path);
  let root: string;
  try {
    root = realpathSync(workspace);
  } catch (error) {
    throw new UserError(
      `manifest: the workspace ${quote(workspace)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}). Run the step in the checked-out workspace.`,
    );
  }
  const outsideOf = (base: string, candidate: string): boolean => {
    const inside = relative(base, candidate);
    return inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  };
  const outside = (candidate: string): boolean => outsideOf(root, candidate) && outsideOf(resolve(workspace), candidate);
  const refuse = (): UserError =>
    new UserError(
      `manifest: ${shown} is outside the workspace ${quote(root)} (or a link that leads out of it). Give the path of the manifest JSON inside the checked-out workspace.`,
    );
  // Refused before the file system is asked: whether a file exists outside is nobody's business.
  if (outside(resolve(root, path))) throw refuse();
  let real: string;
  try {
    real = realpathSync(resolve(root, path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UserError(
      `manifest: cannot read ${shown} (${code}). Give the path of the manifest JSON, relative to the workspace (check out the platform repository first).`,
    );
  }
  if (outsideOf(root, real)) throw refuse();

  let text: string;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer. O_NOFOLLOW: the path was just resolved.
    fd = openSync(real, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0) | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (error) {
    throw new UserError(
      `manifest: cannot read ${shown} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}). Give the path of the manifest JSON, relative to the workspace.`,
    );
  }
  try {
    text = readLimited(fd, shown).toString('utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `manifest: cannot read ${shown} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}). Give the path of the manifest JSON, relative to the workspace.`,
    );
  } finally {
    closeSync(fd);
  }
  try {
    return parseJsonText(text.replace(/^\uFEFF/, ''), { maxDepth: MANIFEST_LIMITS.maxDepth });
  } catch (error) {
    if (error instanceof JsonTextError) throw new UserError(`manifest: ${shown} is not valid JSON (${error.message}). Fix the file; JSON, not YAML.`);
    throw error;
  }
}
