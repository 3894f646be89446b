import { UserError } from '../errors.js';

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

function isStringOrList(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}

function statementProblem(statement: unknown): string | undefined {
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) return 'a statement is not an object';
  const s = statement as Record<string, unknown>;
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return `statement ${String(s.Sid ?? '')} has Effect ${JSON.stringify(s.Effect)}, not Allow or Deny`;
  if ((s.Action === undefined) === (s.NotAction === undefined)) return `statement ${String(s.Sid ?? '')} needs exactly one of Action and NotAction`;
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    if (s[key] !== undefined && !isStringOrList(s[key])) return `statement ${String(s.Sid ?? '')} has a ${key} that is not a string or a list of strings`;
  }
  return undefined;
}

/**
 * Parses a policy document, accepting a single statement object as IAM does, and says where a
 * malformed one came from (`source`, e.g. "the repository policy of team/app").
 */
export function parsePolicy(text: string, source: string): PolicyDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${source} is not valid JSON (${(error as Error).message}). Fix or replace it by hand; nothing was written.`);
  }
  if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) {
    throw new UserError(`${source} has no Statement element. Fix or replace it by hand; nothing was written.`);
  }
  const document = parsed as { Statement: unknown; Version?: string; Id?: string };
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  for (const statement of statements) {
    const problem = statementProblem(statement);
    if (problem) throw new UserError(`${source} is malformed: ${problem}. Fix or replace it by hand; nothing was written.`);
  }
  return { ...document, Statement: statements as Statement[] };
}

/**
 * IAM returns policy documents URL-encoded (GetRolePolicy, GetPolicyVersion). decodeURIComponent,
 * not URLSearchParams, which would turn a literal `+` into a space. Already-decoded JSON (some
 * emulators) is passed through.
 */
export function decodeIamDocument(text: string): string {
  return text.trimStart().startsWith('{') ? text : decodeURIComponent(text);
}

/** IAM's length rule for identity policies does not count whitespace. */
export function iamPolicyLength(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

const ACCOUNT_ID = /^\d{12}$/;

function normaliseList(values: string[], transform: (value: string) => string = (value) => value): string[] {
  return [...new Set(values.map(transform))].sort();
}

function normalisePrincipal(principal: Principal | undefined): unknown {
  if (principal === undefined) return undefined;
  if (principal === '*') return { AWS: ['*'] };
  return Object.fromEntries(
    Object.keys(principal)
      .sort()
      .map((key) => [key, normaliseList(asList(principal[key]), (value) => (key === 'AWS' && ACCOUNT_ID.test(value) ? `arn:aws:iam::${value}:root` : value))]),
  );
}

function normaliseCondition(condition: Statement['Condition']): unknown {
  if (!condition) return undefined;
  return Object.fromEntries(
    Object.keys(condition)
      .sort()
      .map((operator) => [operator, Object.fromEntries(Object.keys(condition[operator]).sort().map((key) => [key, normaliseList(asList(condition[operator][key]))]))]),
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
