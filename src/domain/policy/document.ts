import { principalArn } from '../arn.js';
import { UserError } from '../../errors.js';
import { inert } from '../../util/inert.js';
import { JsonTextError, parseJsonText } from '../../util/json.js';

/** IAM policy grammar, as far as this action reads and writes it. */
export type Effect = 'Allow' | 'Deny';
export type StringOrList = string | string[];
export type Principal = '*' | Record<string, StringOrList>;

export interface Statement {
  Sid?: string;
  Effect: Effect;
  Principal?: Principal;
  NotPrincipal?: Principal;
  Action?: StringOrList;
  NotAction?: StringOrList;
  Resource?: StringOrList;
  NotResource?: StringOrList;
  Condition?: Record<string, Record<string, StringOrList>>;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: Statement[];
}

export function asList(value: StringOrList | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Far beyond every AWS policy size limit (10,240 characters at most): longer stored text is not a policy. */
const MAX_POLICY_TEXT = 128 * 1024;
/** Real policies nest 6 levels (Statement, statement, Condition, operator, key, values). */
const MAX_POLICY_DEPTH = 32;
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const DOCUMENT_KEYS = new Set(['Version', 'Id', 'Statement']);
const PRINCIPAL_KEYS = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const shortJson = (value: unknown): string => (value === undefined ? 'missing' : inert(JSON.stringify(value) ?? String(value), 40));

function isStringOrList(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}

function principalProblem(value: unknown, key: 'Principal' | 'NotPrincipal'): string | undefined {
  if (value === '*') return undefined;
  if (!isObject(value)) return `a ${key} that is ${shortJson(value)}, not "*" or an object such as {"AWS": [ARN, ...]}`;
  const kinds = Object.keys(value);
  if (kinds.length === 0) return `an empty ${key}`;
  for (const kind of kinds) {
    if (!PRINCIPAL_KEYS.has(kind)) return `a ${key} of unknown type ${shortJson(kind)} (AWS, Service, Federated or CanonicalUser)`;
    if (!isStringOrList(value[kind])) return `a ${key} whose ${kind} is ${shortJson(value[kind])}, not a string or a list of strings`;
  }
  return undefined;
}

const isConditionValue = (value: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof value);

function conditionProblem(value: unknown): string | undefined {
  if (!isObject(value)) return `a Condition that is ${shortJson(value)}, not an object of operators`;
  for (const [operator, keys] of Object.entries(value)) {
    if (!isObject(keys)) return `a Condition whose operator ${shortJson(operator)} holds ${shortJson(keys)}, not an object of condition keys`;
    for (const [key, values] of Object.entries(keys)) {
      const ok = isConditionValue(values) || (Array.isArray(values) && values.every(isConditionValue));
      if (!ok) return `a Condition whose ${shortJson(operator)} key ${shortJson(key)} holds ${shortJson(values)}, not strings, numbers or booleans`;
    }
  }
  return undefined;
}

function statementProblem(statement: unknown, index: number): string | undefined {
  if (!isObject(statement)) return `statement ${index + 1} is ${shortJson(statement)}, not an object`;
  const s = statement;
  const name = typeof s.Sid === 'string' && s.Sid !== '' ? inert(s.Sid, 60) : `${index + 1}`;
  const unknown = Object.keys(s).find((key) => !STATEMENT_KEYS.has(key));
  if (unknown !== undefined) return `statement ${name} has an element ${shortJson(unknown)} that IAM's policy grammar does not have`;
  if (s.Sid !== undefined && typeof s.Sid !== 'string') return `statement ${name} has a Sid that is ${shortJson(s.Sid)}, not a string`;
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return `statement ${name} has Effect ${shortJson(s.Effect)}, not Allow or Deny`;
  if ((s.Action === undefined) === (s.NotAction === undefined)) return `statement ${name} needs exactly one of Action and NotAction`;
  if (s.Resource !== undefined && s.NotResource !== undefined) return `statement ${name} has both Resource and NotResource`;
  if (s.Principal !== undefined && s.NotPrincipal !== undefined) return `statement ${name} has both Principal and NotPrincipal`;
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    if (s[key] !== undefined && !isStringOrList(s[key]))
      return `statement ${name} has ${key === 'Action' ? 'an' : 'a'} ${key} that is ${shortJson(s[key])}, not a string or a list of strings`;
  }
  for (const key of ['Principal', 'NotPrincipal'] as const) {
    const problem = s[key] === undefined ? undefined : principalProblem(s[key], key);
    if (problem) return `statement ${name} has ${problem}`;
  }
  const condition = s.Condition === undefined ? undefined : conditionProblem(s.Condition);
  if (condition) return `statement ${name} has ${condition}`;
  return undefined;
}

/** IAM reads condition values as strings: a stored 5 or true means "5" or "true". */
function withStringConditions(statement: Record<string, unknown>): Statement {
  if (!isObject(statement.Condition)) return statement as unknown as Statement;
  const condition = Object.fromEntries(
    Object.entries(statement.Condition as Record<string, Record<string, unknown>>).map(([operator, keys]) => [
      operator,
      Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, Array.isArray(values) ? values.map(String) : String(values)])),
    ]),
  );
  return { ...statement, Condition: condition } as unknown as Statement;
}

/**
 * Parses a policy document, accepting a single statement object as IAM does, and says where a
 * malformed one came from (`source`, e.g. "the repository policy stored on team/app"). Every shape
 * the rest of the action relies on is checked here, so stored text can never crash it; no message
 * quotes more than a short, inert part of the stored text.
 */
export function parsePolicy(text: string, source: string): PolicyDocument {
  const malformed = (problem: string): UserError => new UserError(`${source} is malformed: ${problem}. Fix or replace it by hand; nothing was written.`);
  if (text.length > MAX_POLICY_TEXT) throw malformed(`it is ${text.length} characters long, more than any AWS policy can hold`);
  let parsed: unknown;
  try {
    parsed = parseJsonText(text, { maxDepth: MAX_POLICY_DEPTH });
  } catch (error) {
    if (error instanceof JsonTextError) throw new UserError(`${source} is not valid JSON (${error.message}). Fix or replace it by hand; nothing was written.`);
    throw error;
  }
  if (!isObject(parsed)) throw malformed(`it is ${shortJson(parsed)}, not a policy object`);
  if (!('Statement' in parsed)) throw new UserError(`${source} has no Statement element. Fix or replace it by hand; nothing was written.`);
  const unknown = Object.keys(parsed).find((key) => !DOCUMENT_KEYS.has(key));
  if (unknown !== undefined) throw malformed(`it has a top-level element ${shortJson(unknown)} that IAM's policy grammar does not have`);
  for (const key of ['Version', 'Id'] as const) {
    if (parsed[key] !== undefined && typeof parsed[key] !== 'string') throw malformed(`its ${key} is ${shortJson(parsed[key])}, not a string`);
  }
  const statements: unknown[] = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  if (statements.length === 0) throw malformed('its Statement list is empty');
  statements.forEach((statement, index) => {
    const problem = statementProblem(statement, index);
    if (problem) throw malformed(problem);
  });
  const document = parsed as { Version?: string; Id?: string };
  return { ...document, Statement: statements.map((statement) => withStringConditions(statement as Record<string, unknown>)) };
}

/**
 * IAM returns policy documents URL-encoded (GetRolePolicy, GetPolicyVersion). decodeURIComponent,
 * not URLSearchParams, which would turn a literal `+` into a space. Already-decoded JSON (some
 * emulators) is passed through. Text that does not decode is the stored policy's fault: the error
 * names where it is stored (`source`), not AWS or the network.
 */
export function decodeIamDocument(text: string, source = 'an IAM policy document'): string {
  if (text.trimStart().startsWith('{')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UserError(
      `${source} is malformed: it is not valid URL-encoded text (IAM returns policy documents URL-encoded). Fix or replace it by hand; nothing was written.`,
    );
  }
}

/** IAM's length rule for identity policies does not count whitespace. */
export function iamPolicyLength(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

function normaliseList(values: string[], transform: (value: string) => string = (value) => value): string[] {
  return [...new Set(values.map(transform))].sort();
}

function normalisePrincipal(principal: Principal | undefined): unknown {
  if (principal === undefined) return undefined;
  if (principal === '*') return { AWS: ['*'] };
  return Object.fromEntries(
    Object.keys(principal)
      .sort()
      .map((key) => [key, normaliseList(asList(principal[key]), (value) => (key === 'AWS' ? principalArn(value) : value))]),
  );
}

function normaliseCondition(condition: Statement['Condition']): unknown {
  if (!condition) return undefined;
  return Object.fromEntries(
    Object.keys(condition)
      .sort()
      .map((operator) => [
        operator,
        Object.fromEntries(
          Object.keys(condition[operator])
            .sort()
            .map((key) => [key, normaliseList(asList(condition[operator][key]))]),
        ),
      ]),
  );
}

function normaliseStatement(statement: Statement): Record<string, unknown> {
  const lower = (value: string): string => value.toLowerCase();
  const normal: Record<string, unknown> = {
    Sid: statement.Sid ?? '',
    Effect: statement.Effect,
    Principal: normalisePrincipal(statement.Principal),
    NotPrincipal: normalisePrincipal(statement.NotPrincipal),
    Action: statement.Action === undefined ? undefined : normaliseList(asList(statement.Action), lower),
    NotAction: statement.NotAction === undefined ? undefined : normaliseList(asList(statement.NotAction), lower),
    Resource: statement.Resource === undefined ? undefined : normaliseList(asList(statement.Resource)),
    NotResource: statement.NotResource === undefined ? undefined : normaliseList(asList(statement.NotResource)),
    Condition: normaliseCondition(statement.Condition),
  };
  return Object.fromEntries(Object.entries(normal).filter(([, value]) => value !== undefined));
}

/**
 * A canonical form for comparing meaning: key order, array order, duplicates, single-vs-list,
 * action case and bare account IDs don't matter (ECR reformats and reorders what it stores).
 */
export function canonicalPolicy(document: PolicyDocument | undefined): string {
  if (!document) return 'null';
  const statements = document.Statement.map((statement) => JSON.stringify(normaliseStatement(statement))).sort();
  return JSON.stringify({ Version: document.Version ?? '2008-10-17', Statement: statements });
}

export function samePolicyMeaning(a: PolicyDocument | undefined, b: PolicyDocument | undefined): boolean {
  return canonicalPolicy(a) === canonicalPolicy(b);
}
