import { UserError } from '../../errors.js';
import { inert, quoted } from '../../util/inert.js';

/**
 * Build secrets, SSH and extra contexts with docker/build-push-action's input names and formats:
 *   secrets:        one `id=value` per line; a value spanning lines is written "id=line1\nline2" in
 *                   double quotes (a `"` inside as `""`), as build-push-action's CSV reading allows.
 *   secret-files:   one `id=path` per line.
 *   secret-envs:    one `id=ENV_VAR` per line (the variable of this step's environment).
 *   ssh:            one `default`, `default=/path/to/key` or `id=socket-or-keys` per line.
 *   build-contexts: one `name=path|url|docker-image://…` per line (buildx only).
 * A secret's value never appears in a message: entries are named by number and id.
 */
export interface SecretValue {
  id: string;
  value: string;
}

export interface SecretFile {
  id: string;
  path: string;
}

export interface SecretEnv {
  id: string;
  env: string;
}

const SECRET_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** Lines of a list input, where a line opening with `"` runs to its closing `"` (CSV quoting, `""` is `"`). */
export function quotedEntries(text: string): string[] {
  const entries: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (!line.trimStart().startsWith('"')) {
      if (line.trim()) entries.push(line.trim());
      continue;
    }
    let buffer = line.trimStart().slice(1);
    // Closed when the text ends in an odd run of quotes (an even run is escaped quotes).
    const closed = (value: string): boolean => {
      const run = /"*$/.exec(value.trimEnd())?.[0].length ?? 0;
      return run % 2 === 1;
    };
    while (!closed(buffer) && index + 1 < lines.length) buffer += `\n${lines[++index]}`;
    if (!closed(buffer)) throw new UserError(`secrets: entry ${entries.length + 1} opens a quote that is never closed.`);
    entries.push(buffer.trimEnd().slice(0, -1).replace(/""/g, '"'));
  }
  return entries;
}

function splitPair(input: string, entry: string, index: number, what: string, showEntry: boolean): [string, string] {
  const separator = entry.indexOf('=');
  const id = separator > 0 ? entry.slice(0, separator).trim() : '';
  const shown = showEntry ? ` ("${inert(entry)}")` : ' (its value is not shown)';
  if (!id || separator === entry.length - 1) throw new UserError(`${input}: entry ${index + 1}${shown} is not ${what}.`);
  if (!SECRET_ID.test(id)) throw new UserError(`${input}: entry ${index + 1} has the id "${inert(id)}"; an id is letters, digits, \`_\`, \`.\` and \`-\`.`);
  return [id, entry.slice(separator + 1)];
}

function assertUniqueIds(input: string, ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new UserError(`${input}: the id "${inert(id)}" is given twice; each secret needs its own id.`);
    seen.add(id);
  }
}

export function parseSecrets(text: string): SecretValue[] {
  const secrets = quotedEntries(text).map((entry, index) => {
    const [id, value] = splitPair('secrets', entry, index, 'id=value', false);
    return { id, value };
  });
  assertUniqueIds(
    'secrets',
    secrets.map((secret) => secret.id),
  );
  return secrets;
}

export function parseSecretFiles(text: string): SecretFile[] {
  const files = quotedEntries(text).map((entry, index) => {
    const [id, given] = splitPair('secret-files', entry, index, 'id=path', true);
    const path = given.trim();
    // A line break does not survive buildx's CSV reading as written (CR LF becomes LF), and no other
    // control character belongs in a path: refused rather than read as another file.
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(path))
      throw new UserError(
        `secret-files: entry ${index + 1} (secret ${id}) has a path holding a line break or another control character (${quoted(path)}), which docker's --secret cannot carry. Rename the file.`,
      );
    return { id, path };
  });
  assertUniqueIds(
    'secret-files',
    files.map((file) => file.id),
  );
  return files;
}

export function parseSecretEnvs(text: string): SecretEnv[] {
  const envs = quotedEntries(text).map((entry, index) => {
    const [id, env] = splitPair('secret-envs', entry, index, 'id=ENV_VAR', true);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(env.trim()))
      throw new UserError(`secret-envs: entry ${index + 1} names "${inert(env)}", which is not an environment variable name.`);
    return { id, env: env.trim() };
  });
  assertUniqueIds(
    'secret-envs',
    envs.map((env) => env.id),
  );
  return envs;
}

export function parseSsh(text: string): string[] {
  const entries = quotedEntries(text);
  entries.forEach((entry, index) => {
    if (!/^[A-Za-z0-9_.-]+(=\S.*)?$/.test(entry))
      throw new UserError(`ssh: entry ${index + 1} ("${inert(entry)}") is not \`default\`, \`default=/path/to/key\` or \`id=path\`.`);
  });
  return entries;
}

export function parseBuildContexts(text: string): string[] {
  const entries = quotedEntries(text);
  entries.forEach((entry, index) => {
    if (!/^[^=\s]+=\S.*$/.test(entry))
      throw new UserError(
        `build-contexts: entry ${index + 1} ("${inert(entry)}") is not name=value (e.g. \`base=docker-image://alpine:3.20\` or \`src=../shared\`).`,
      );
  });
  return entries;
}

/** What to mask: each value, and each line of a multi-line value (the runner masks line by line). */
export function maskableParts(value: string): string[] {
  const parts = [value, ...value.split(/\r?\n/).map((line) => line.trim())];
  // Very short fragments would mask ordinary words all over the log; the whole value is masked anyway.
  return [...new Set(parts.filter((part, index) => (index === 0 ? part.length > 0 : part.length >= 4)))];
}

/**
 * One field of a CSV value docker and buildx read with Go's encoding/csv (`--secret`): quoted when it
 * holds a comma, a double quote or a line break, a quote inside doubled. Unquoted, a path holding
 * `,src=/other/file` would make docker read that other file (the last `src=` wins).
 */
export function csvField(field: string): string {
  return /[",\r\n]/.test(field) || /^\s/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
