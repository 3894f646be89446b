import { UserError } from '../errors.js';
import { inert, quoted } from '../util/inert.js';
import { repositoryNameProblem } from './arn.js';

/** The template manifest as data: which repositories it expects. Pure; the file is read by adapters/manifest-file.ts. */

/**
 * What a manifest may be. A manifest comes from a pull request in the gate workflow: it must not
 * make the action read another file, block, exhaust memory or flood the log.
 */
export const MANIFEST_LIMITS = {
  /** Bytes: the largest real manifest is a few kilobytes. */
  maxBytes: 5 * 1024 * 1024,
  /** Nesting of arrays and objects. */
  maxDepth: 64,
  /** Entries in the list of templates (an explicit allowlist holds about 100 repositories). */
  maxEntries: 10_000,
} as const;

const quote = (value: string, max = 120): string => quoted(value, max);

function valueAt(document: unknown, dottedPath: string): unknown {
  let value: unknown = document;
  for (const key of dottedPath.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function fill(template: string, fields: Record<string, unknown>, where: string): string {
  return template.replace(/\{([^{}]+)\}/g, (_, field: string) => {
    const value = Object.hasOwn(fields, field) ? fields[field] : undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new UserError(
        `${where} has no string field ${quote(field, 60)}, which repository-template ${quote(template)} uses. Add it, or change repository-template.`,
      );
    }
    return String(value);
  });
}

function describeEntry(entry: unknown): string {
  if (typeof entry === 'string') return quote(entry, 80);
  const text = JSON.stringify(entry) ?? String(entry);
  return inert(text, 80);
}

/**
 * Expected repositories: every manifest entry mapped through the template, plus the extras.
 * Entries may be strings (`{name}` is the string) or objects (`{field}` is any of their fields).
 */
export function expectedRepositories(manifest: unknown, path: string, key: string, template: string, extras: string[]): string[] {
  const shown = quote(path);
  const shownKey = quote(key, 100);
  const list = valueAt(manifest, key);
  if (list === undefined) throw new UserError(`manifest: ${shown} has no ${shownKey}. Set manifest-key to the dotted path of the list of templates.`);
  if (!Array.isArray(list)) throw new UserError(`manifest: ${shownKey} in ${shown} is ${list === null ? 'null' : typeof list}, not a list of templates.`);
  if (list.length > MANIFEST_LIMITS.maxEntries) {
    throw new UserError(
      `manifest: ${shownKey} in ${shown} has ${list.length} entries; the limit is ${MANIFEST_LIMITS.maxEntries}. Split the manifest, or check that manifest-key names the list of templates.`,
    );
  }
  const names = list.map((entry: unknown, index) => {
    const where = `manifest: entry ${index} of ${shownKey} in ${shown} (${describeEntry(entry)})`;
    let fields: Record<string, unknown>;
    if (typeof entry === 'string') fields = { name: entry };
    else if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) fields = entry as Record<string, unknown>;
    else throw new UserError(`${where} is neither a string nor an object.`);
    const repository = fill(template, fields, where);
    const problem = repositoryNameProblem(repository);
    if (problem) throw new UserError(`${where} maps to ${quote(repository, 80)}, which is not a valid ECR repository name: it ${problem}.`);
    return repository;
  });
  return [...new Set([...names, ...extras])].sort();
}
