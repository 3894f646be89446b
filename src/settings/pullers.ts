import { parseDocument } from 'yaml';
import { roleNameOf } from '../domain/arn.js';
import { UserError } from '../errors.js';
import { quoted } from '../util/inert.js';
import { parsePlatforms } from './images.js';
import { pullerNeeds, type PullerSettings } from '../domain/pullers.js';

// What a puller is lives in domain/pullers.ts (services take it); said here for settings' users.
export { pullerNeeds, type PullerSettings };

/**
 * The `pullers` input: every role that must be able to pull, as a YAML (or JSON) list. Each entry
 * is validated field by field before anything is read or written; every error names the puller and
 * the field. The `staging-*` inputs are the one-puller form of the same thing.
 */

/** What a pullers entry may hold (kebab-case, as action inputs are). */
const FIELDS = ['name', 'role-arn', 'policy-name', 'assume-role-arn', 'external-id', 'regions', 'repositories', 'platforms'] as const;
type Field = (typeof FIELDS)[number];

/** The text is an input: bounded before it is parsed. */
const MAX_TEXT = 64 * 1024;
const MAX_PULLERS = 100;
const NAME = /^[A-Za-z0-9][\w.@+=,-]{0,63}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** The validators the rest of the inputs use too, handed in so this module stays one concern. */
export interface PullerRules {
  registryRegion: string;
  roleArnProblem(value: string): string | undefined;
  policyNameProblem(value: string): string | undefined;
  regionProblem(value: string): string | undefined;
  /** Throws when the ARN is in another partition than the registry's region. */
  assertPartition(input: string, arn: string): void;
}

function listOf(value: unknown, where: string): string[] {
  if (typeof value === 'string')
    return value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.map((item) => item.trim()).filter(Boolean);
  throw new UserError(`${where}: must be a list of strings (or one comma-separated string).`);
}

function text(entry: Record<string, unknown>, field: Field, where: string): string | undefined {
  const value = entry[field];
  if (value === undefined || value === null || value === '') return undefined;
  // YAML reads an unquoted 004947743811 as the number 4947743811: say so rather than guess the zeros back.
  if (typeof value === 'number') throw new UserError(`${where}.${field}: must be a string, and YAML read ${value} as a number. Quote it ("…").`);
  if (typeof value !== 'string') throw new UserError(`${where}.${field}: must be a string.`);
  return value.trim();
}

function readPuller(entry: unknown, index: number, rules: PullerRules): PullerSettings {
  const at = `pullers[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new UserError(`${at}: must be a mapping with role-arn (and optionally ${FIELDS.filter((field) => field !== 'role-arn').join(', ')}).`);
  }
  const fields = entry as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) throw new UserError(`${at}: unknown field ${quoted(unknown, 40)}. A puller may have ${FIELDS.join(', ')}.`);
  const roleArn = text(fields, 'role-arn', at);
  if (!roleArn) throw new UserError(`${at}.role-arn: required. Name the role that pulls, e.g. arn:aws:iam::004947743811:role/NAME.`);
  const where = `pullers[${index}] (${quoted(text(fields, 'name', at) ?? roleArn, 100)})`;
  const roleProblem = rules.roleArnProblem(roleArn);
  if (roleProblem) throw new UserError(`${where}.role-arn: ${quoted(roleArn)} ${roleProblem}`);
  rules.assertPartition(`${where}.role-arn`, roleArn);
  const name = text(fields, 'name', at) ?? roleNameOf(roleArn);
  if (!NAME.test(name)) throw new UserError(`${where}.name: ${quoted(name)} must be 1-64 letters, digits and _.@+=,- (it names the puller in tables).`);
  const policyName = text(fields, 'policy-name', at);
  const policyProblem = policyName && rules.policyNameProblem(policyName);
  if (policyProblem) throw new UserError(`${where}.policy-name: ${quoted(policyName)} ${policyProblem}`);
  const assumeRoleArn = text(fields, 'assume-role-arn', at);
  if (assumeRoleArn) {
    const problem = rules.roleArnProblem(assumeRoleArn);
    if (problem) throw new UserError(`${where}.assume-role-arn: ${quoted(assumeRoleArn)} ${problem}`);
    rules.assertPartition(`${where}.assume-role-arn`, assumeRoleArn);
  }
  const externalId = text(fields, 'external-id', at);
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw new UserError(`${where}.external-id: must be 2-1224 characters of letters, digits and +=,.@:/- (STS's rule); the value is not shown.`);
  }
  if (externalId !== undefined && !assumeRoleArn) throw new UserError(`${where}.external-id: given without assume-role-arn. Add the role it is for.`);
  const regions = fields.regions === undefined ? [rules.registryRegion] : listOf(fields.regions, `${where}.regions`);
  if (regions.length === 0) throw new UserError(`${where}.regions: empty. Leave it out for the registry's region (${rules.registryRegion}).`);
  for (const region of regions) {
    const problem = rules.regionProblem(region);
    if (problem) throw new UserError(`${where}.regions: ${quoted(region)} ${problem}`);
  }
  const duplicateRegion = regions.find((region, at) => regions.indexOf(region) !== at);
  if (duplicateRegion) throw new UserError(`${where}.regions: ${duplicateRegion} is listed twice.`);
  const repositories = fields.repositories === undefined ? undefined : listOf(fields.repositories, `${where}.repositories`);
  if (repositories?.length === 0) throw new UserError(`${where}.repositories: empty. Leave it out for every expected repository.`);
  for (const pattern of repositories ?? []) {
    if (!/^[a-z0-9*][a-z0-9._/*-]{0,255}$/.test(pattern)) {
      throw new UserError(`${where}.repositories: ${quoted(pattern)} is not a repository name pattern (lowercase name characters, \`*\` for any run of them).`);
    }
  }
  const platforms = fields.platforms === undefined ? undefined : parsePlatforms(fields.platforms, `${where}.platforms`);
  return { name, roleArn, policyName, assumeRoleArn, externalId, regions, repositories, ...(platforms ? { platforms } : {}) };
}

/** Parses and validates the `pullers` input (YAML or JSON): one clear error per bad field, nothing read before. */
export function parsePullers(value: string, rules: PullerRules): PullerSettings[] {
  if (value.length > MAX_TEXT) throw new UserError(`pullers: ${value.length} characters; the limit is ${MAX_TEXT}. List the pulling roles, not another file.`);
  const document = parseDocument(value, { prettyErrors: true, uniqueKeys: true });
  const error = document.errors[0];
  if (error) {
    const line = error.linePos?.[0];
    throw new UserError(
      `pullers: not a YAML list${line ? ` (line ${line.line}, column ${line.col})` : ''}: ${error.code}. Give one entry per puller, e.g. "- role-arn: arn:aws:iam::004947743811:role/NAME".`,
    );
  }
  let list: unknown;
  try {
    list = document.toJS({ maxAliasCount: 0 });
  } catch {
    throw new UserError('pullers: aliases are not allowed. Write each puller out in full.');
  }
  if (!Array.isArray(list) || list.length === 0) throw new UserError('pullers: must be a non-empty list, one entry per puller ("- role-arn: …").');
  if (list.length > MAX_PULLERS) throw new UserError(`pullers: ${list.length} entries; the limit is ${MAX_PULLERS}.`);
  const pullers = list.map((entry, index) => readPuller(entry, index, rules));
  for (const [index, puller] of pullers.entries()) {
    const earlier = pullers.findIndex((other) => other.name === puller.name || other.roleArn === puller.roleArn);
    if (earlier < index) {
      const what = pullers[earlier].name === puller.name ? `name ${quoted(puller.name)}` : `role ${puller.roleArn}`;
      throw new UserError(`pullers[${index}]: the ${what} is also pullers[${earlier}]. Give each role once (with every region it pulls in).`);
    }
  }
  return pullers;
}
