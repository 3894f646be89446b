import { parseArgs } from 'node:util';
import { INPUT_DEFAULTS, type InputName } from '../settings/inputs.js';
import { UserError } from '../errors.js';

/** Inputs only `mode: publish` reads (the build and the repository it creates): the CLI never publishes, so it takes none of them. */
export const PUBLISH_ONLY = new Set<InputName>([
  ...(['context', 'file', 'build-args', 'labels', 'tags', 'target', 'platforms', 'cache-from', 'cache-to', 'no-cache', 'push', 'provenance'] as const),
  ...(['secrets', 'secret-files', 'secret-envs', 'ssh', 'build-contexts', 'create-repository', 'image-tag-mutability'] as const),
  ...(['image-tag-mutability-exclusion-filters', 'scan-on-push', 'wait-for-replication'] as const),
]);
/** The inputs a terminal may give: every action input but `mode` (the command says it) and the publish-only ones. */
export const NAMES = (Object.keys(INPUT_DEFAULTS) as InputName[]).filter((name) => name !== 'mode' && !PUBLISH_ONLY.has(name));
/** Inputs whose default is a boolean are switches: `--prune`, `--no-prune`, `--prune=false`. */
const SWITCHES = new Set<InputName>(NAMES.filter((name) => INPUT_DEFAULTS[name] === 'true' || INPUT_DEFAULTS[name] === 'false'));

export interface Flags {
  inputs: Partial<Record<InputName, string>>;
  json: boolean;
  help: boolean;
  /** `plan --format`: the plan as text (default), or the documents reconcile owns as JSON or Terraform. */
  format: 'text' | 'json' | 'terraform';
}

const FORMATS = ['text', 'json', 'terraform'] as const;

/** Flags that take a value (every input but the switches, and --format). */
const VALUED = new Set<string>([...NAMES.filter((name) => !SWITCHES.has(name)), 'format']);
/** Every flag the CLI knows, as typed: what can never be the value of the flag before it. */
const KNOWN = new Set<string>([
  '--json',
  '--help',
  '-h',
  ...[...VALUED].map((name) => `--${name}`),
  ...[...SWITCHES].flatMap((name) => [`--${name}`, `--no-${name}`]),
]);

/**
 * What parseArgs wants: `--name true|false` and `--name=true|false` for a switch become `--name` /
 * `--no-name`, and `--name value` for a flag that takes a value becomes `--name=value`, so a value
 * that starts with `-` is taken as given (parseArgs calls it ambiguous): a YAML list such as
 * `--pullers "$(cat pullers.yml)"` starts with `- role-arn: …`.
 */
function normaliseArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(args[index]);
    const name = match?.[1];
    const publishOnly = [match?.[1], match?.[1].replace(/^no-/, '')].find((flag) => PUBLISH_ONLY.has(flag as InputName));
    if (publishOnly) {
      throw new UserError(
        `--${publishOnly}: only the action's publish mode reads it; the CLI verifies, plans and reconciles, and builds nothing. Leave it out.`,
      );
    }
    if (match && name && match[2] === undefined && VALUED.has(name)) {
      const value = args[index + 1];
      if (value === undefined || KNOWN.has(value.split('=')[0])) throw new UserError(`--${name}: needs a value, e.g. --${name} <value> or --${name}=<value>.`);
      out.push(`--${name}=${value}`);
      index++;
      continue;
    }
    if (!match || !name || !SWITCHES.has(name as InputName)) {
      out.push(args[index]);
      continue;
    }
    const value = match[2] ?? (/^(true|false)$/i.test(args[index + 1] ?? '') ? args[++index] : 'true');
    if (!/^(true|false)$/i.test(value)) throw new UserError(`--${name}: "${value}" is not a boolean. Use --${name}, --no-${name} or --${name}=false.`);
    out.push(value.toLowerCase() === 'true' ? `--${name}` : `--no-${name}`);
  }
  return out;
}

/** The CLI's switches are derived from the action's input table: one list, so the two never drift apart. */
export function parseFlags(args: string[]): Flags {
  const options: Record<string, { type: 'string' | 'boolean' }> = { json: { type: 'boolean' }, help: { type: 'boolean' }, format: { type: 'string' } };
  for (const name of NAMES) {
    options[name] = { type: SWITCHES.has(name) ? 'boolean' : 'string' };
    if (SWITCHES.has(name)) options[`no-${name}`] = { type: 'boolean' };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: normaliseArgs(args), options, strict: true, allowPositionals: false }));
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify an option argument starting with a dash.*$/, '');
    throw new UserError(`${message}. See --help for the inputs.`);
  }
  const inputs: Partial<Record<InputName, string>> = {};
  for (const name of NAMES) {
    if (values[`no-${name}`] === true) inputs[name] = 'false';
    else if (values[name] !== undefined) inputs[name] = String(values[name]);
  }
  const format = values.format === undefined ? 'text' : String(values.format);
  if (!(FORMATS as readonly string[]).includes(format)) throw new UserError(`--format: "${format.slice(0, 40)}" is not one of ${FORMATS.join(', ')}.`);
  return { inputs, json: values.json === true, help: values.help === true, format: format as Flags['format'] };
}

/** Every flag, for --help. */
export function flagList(): string {
  return NAMES.map((name) => (SWITCHES.has(name) ? `--[no-]${name}` : `--${name}`)).join(' ');
}
