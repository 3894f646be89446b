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

/** How a file's errors name it and say what to give instead: one reader, the manifest's limits, for every JSON file an input names. */
export interface FileWords {
  /** The input, starting each message ("manifest"). */
  label: string;
  /** What the file should be ("the manifest JSON"). */
  noun: string;
  /** What to give instead of a file too large ("Give the template manifest, not another file."). */
  tooLarge: string;
  /** Said when the path does not resolve (" (check out the platform repository first)"). */
  checkout: string;
}

const MANIFEST_WORDS: FileWords = {
  label: 'manifest',
  noun: 'the manifest JSON',
  tooLarge: 'Give the template manifest, not another file.',
  checkout: ' (check out the platform repository first)',
};

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function readLimited(fd: number, shown: string, words: FileWords): Buffer {
  const stats = fstatSync(fd);
  if (!stats.isFile())
    throw new UserError(`${words.label}: ${shown} is ${kindOf(stats)}, not a regular file. Give the path of ${words.noun} file in the workspace.`);
  if (stats.size > MANIFEST_LIMITS.maxBytes) {
    throw new UserError(`${words.label}: ${shown} is ${stats.size} bytes; the limit is ${MANIFEST_LIMITS.maxBytes} (5 MiB). ${words.tooLarge}`);
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
        throw new UserError(`${words.label}: ${shown} is larger than ${MANIFEST_LIMITS.maxBytes} bytes (5 MiB). ${words.tooLarge}`);
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
  const text = readWorkspaceText(path, MANIFEST_WORDS, workspace);
  try {
    return parseJsonText(text, { maxDepth: MANIFEST_LIMITS.maxDepth });
  } catch (error) {
    if (error instanceof JsonTextError) throw new UserError(`manifest: ${quote(path)} is not valid JSON (${error.message}). Fix the file; JSON, not YAML.`);
    throw error;
  }
}

/**
 * The text of a file an input names, read as the manifest is (inside the workspace, at most 5 MiB,
 * no FIFO or device, a leading BOM dropped); errors in `words`, never quoting the content.
 */
export function readWorkspaceText(path: string, words: FileWords, workspace: string = workspaceRoot()): string {
  const { label } = words;
  const shown = quote(path);
  let root: string;
  try {
    root = realpathSync(workspace);
  } catch (error) {
    throw new UserError(
      `${label}: the workspace ${quote(workspace)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}). Run the step in the checked-out workspace.`,
    );
  }
  const outsideOf = (base: string, candidate: string): boolean => {
    const inside = relative(base, candidate);
    return inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  };
  const outside = (candidate: string): boolean => outsideOf(root, candidate) && outsideOf(resolve(workspace), candidate);
  const refuse = (): UserError =>
    new UserError(
      `${label}: ${shown} is outside the workspace ${quote(root)} (or a link that leads out of it). Give the path of ${words.noun} inside the checked-out workspace.`,
    );
  // Refused before the file system is asked: whether a file exists outside is nobody's business.
  if (outside(resolve(root, path))) throw refuse();
  let real: string;
  try {
    real = realpathSync(resolve(root, path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UserError(`${label}: cannot read ${shown} (${code}). Give the path of ${words.noun}, relative to the workspace${words.checkout}.`);
  }
  if (outsideOf(root, real)) throw refuse();

  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer. O_NOFOLLOW: the path was just resolved.
    fd = openSync(real, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0) | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (error) {
    throw new UserError(
      `${label}: cannot read ${shown} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}). Give the path of ${words.noun}, relative to the workspace.`,
    );
  }
  try {
    return readLimited(fd, shown, words)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `${label}: cannot read ${shown} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}). Give the path of ${words.noun}, relative to the workspace.`,
    );
  } finally {
    closeSync(fd);
  }
}
