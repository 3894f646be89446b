import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { repositoryNameProblem } from '../inputs.js';

/** Reads the template manifest; every failure names the file and what was expected. */
export function readManifestFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UserError(`manifest: cannot read "${path}" (${code}). Give the path of the manifest JSON, relative to the workspace (check out the platform repository first).`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`manifest: "${path}" is not valid JSON (${(error as Error).message}).`);
  }
}

function valueAt(document: unknown, dottedPath: string): unknown {
  let value: unknown = document;
  for (const key of dottedPath.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !(key in value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function fill(template: string, fields: Record<string, unknown>, where: string): string {
  return template.replace(/\{([^{}]+)\}/g, (_, field: string) => {
    const value = fields[field];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new UserError(`${where} has no string field "${field}", which repository-template "${template}" uses. Add it, or change repository-template.`);
    }
    return String(value);
  });
}

/**
 * Expected repositories: every manifest entry mapped through the template, plus the extras.
 * Entries may be strings (`{name}` is the string) or objects (`{field}` is any of their fields).
 */
export function expectedRepositories(manifest: unknown, path: string, key: string, template: string, extras: string[]): string[] {
  const list = valueAt(manifest, key);
  if (list === undefined) throw new UserError(`manifest: "${path}" has no "${key}". Set manifest-key to the dotted path of the list of templates.`);
  if (!Array.isArray(list)) throw new UserError(`manifest: "${key}" in "${path}" is ${typeof list}, not a list of templates.`);
  const names = list.map((entry, index) => {
    const where = `manifest: entry ${index} of "${key}" in "${path}" (${JSON.stringify(entry)})`;
    let fields: Record<string, unknown>;
    if (typeof entry === 'string') fields = { name: entry };
    else if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) fields = entry as Record<string, unknown>;
    else throw new UserError(`${where} is neither a string nor an object.`);
    const repository = fill(template, fields, where);
    const problem = repositoryNameProblem(repository);
    if (problem) throw new UserError(`${where} maps to "${repository}", which is not a valid ECR repository name: it ${problem}.`);
    return repository;
  });
  return [...new Set([...names, ...extras])].sort();
}
