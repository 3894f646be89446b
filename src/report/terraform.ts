import { asList, type PolicyDocument, type Principal, type Statement } from '../domain/policy/document.js';
import { inert, safeJson } from '../util/inert.js';

/**
 * `plan --format json|terraform` (docs/iac.md): the documents reconcile would write, for teams that own
 * IAM as code. Pure and deterministic: the same input in any order prints the same text.
 */

export interface AllowlistToWrite {
  roleArn: string;
  roleName: string;
  policyName: string;
  /** The whole inline policy: the action owns the allowlist policy of the pulling role. */
  document: PolicyDocument;
}

export interface GrantToWrite {
  repository: string;
  /** A replica's grant: the destination registry it sits in (undefined: the registry the run is about). */
  replica?: { region: string; registryId: string };
  sid: string;
  /** One statement: the action owns it, not the repository policy it sits in. */
  statement: Statement;
}

export interface DocumentsToWrite {
  allowlists: AllowlistToWrite[];
  grants: GrantToWrite[];
}

/** Code-unit order, not the locale's: the same bytes on every machine. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sortedAllowlists = (input: DocumentsToWrite): AllowlistToWrite[] =>
  [...input.allowlists].sort((a, b) => byText(a.roleArn, b.roleArn) || byText(a.policyName, b.policyName));
const placeOf = (grant: GrantToWrite): string => (grant.replica ? `${grant.replica.region}/${grant.replica.registryId}` : '');
const sortedGrants = (input: DocumentsToWrite): GrantToWrite[] =>
  [...input.grants].sort((a, b) => byText(a.repository, b.repository) || byText(placeOf(a), placeOf(b)) || byText(a.sid, b.sid));

/** IAM's element order (the policy grammar's), then any other key sorted. */
const STATEMENT_ORDER = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];

const sortedList = (value: string | string[]): string | string[] => (Array.isArray(value) ? [...value].sort(byText) : value);

function sortedRecord<T>(record: Record<string, T>, value: (item: T) => unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(record)
      .sort(byText)
      .map((key) => [key, value(record[key])]),
  );
}

const canonicalPrincipal = (principal: Principal): unknown => (principal === '*' ? '*' : sortedRecord(principal, sortedList));

/**
 * A statement with its elements in grammar order and every unordered part sorted (principal types,
 * condition operators and keys, the values of a list): order means nothing to IAM, so none is kept.
 */
export function canonicalStatement(statement: Statement): Record<string, unknown> {
  const values: Record<string, unknown> = {
    ...statement,
    Principal: statement.Principal && canonicalPrincipal(statement.Principal),
    NotPrincipal: statement.NotPrincipal && canonicalPrincipal(statement.NotPrincipal),
    Action: statement.Action && sortedList(statement.Action),
    NotAction: statement.NotAction && sortedList(statement.NotAction),
    Resource: statement.Resource && sortedList(statement.Resource),
    NotResource: statement.NotResource && sortedList(statement.NotResource),
    Condition: statement.Condition && sortedRecord(statement.Condition, (keys) => sortedRecord(keys, sortedList)),
  };
  const keys = Object.keys(values).sort((a, b) => {
    const [ia, ib] = [STATEMENT_ORDER.indexOf(a), STATEMENT_ORDER.indexOf(b)];
    return ia >= 0 && ib >= 0 ? ia - ib : ia >= 0 ? -1 : ib >= 0 ? 1 : byText(a, b);
  });
  return Object.fromEntries(keys.filter((key) => values[key] !== undefined).map((key) => [key, values[key]]));
}

/** Statements keep their order (the action writes them in this order); Version, Id, Statement first. */
export function canonicalDocument(document: PolicyDocument): Record<string, unknown> {
  const { Version, Id, Statement: statements, ...rest } = document;
  return { Version, Id, ...sortedRecord(rest as Record<string, unknown>, (value) => value), Statement: statements.map(canonicalStatement) };
}

/** The JSON form: each puller's allowlist document and each repository's grant statement, 2-space JSON. */
export function documentsJson(input: DocumentsToWrite): string {
  return safeJson(
    {
      allowlists: sortedAllowlists(input).map(({ roleArn, roleName, policyName, document }) => ({
        roleArn,
        roleName,
        policyName,
        document: canonicalDocument(document),
      })),
      grants: sortedGrants(input).map(({ repository, replica, sid, statement }) => ({
        repository,
        ...(replica ? { replica } : {}),
        sid,
        statement: canonicalStatement(statement),
      })),
    },
    2,
  );
}

/** Control, line-separator and bidi characters: written as `\uNNNN` escapes. */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

// ---- HCL (https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md) ----

/**
 * An HCL quoted string: quoted template literal, so besides `"` and `\`, the template sequences `${`
 * and `%{` are escaped (as `$${` and `%%{`, the spec's only escapes for them), and every control
 * character as `\n`, `\r`, `\t` or `\uNNNN`: nothing in a name can end the string or interpolate.
 * The bidi controls are `\uNNNN` too (as util/inert.ts escapes them), so a reviewer reads what HCL reads.
 */
export function hclString(value: string): string {
  const escaped = value
    .replace(/[\\"]/g, (char) => `\\${char}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    // A function, not a replacement string: in one, `$$` would itself mean a single `$`.
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');
  return `"${escaped}"`;
}

/** Keys of the policy grammar are written bare; any other key (a condition key, a principal type) quoted. */
const BARE_KEYS = new Set(['Version', 'Id', 'Statement', ...STATEMENT_ORDER, 'AWS', 'Service', 'Federated', 'CanonicalUser']);

/** A value as an HCL expression (jsonencode's argument): objects `{ key = value }`, lists `[a, b]`. */
function hclValue(value: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (typeof value === 'string') return hclString(value);
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item === 'string')) return `[${value.map((item) => hclString(item as string)).join(', ')}]`;
    return `[\n${value.map((item) => `${inner}${hclValue(item, inner)},\n`).join('')}${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{\n${entries.map(([key, item]) => `${inner}${BARE_KEYS.has(key) ? key : hclString(key)} = ${hclValue(item, inner)}\n`).join('')}${indent}}`;
  }
  return JSON.stringify(value);
}

/**
 * Resource labels: an HCL identifier (letters, digits, `_`, `-`, not starting with a digit or `-`)
 * derived from the names, lower case; a label already taken gets `_2`, `_3`… in sorted order.
 */
function labeller(): (name: string) => string {
  const taken = new Set<string>();
  return (name) => {
    const base =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .slice(0, 64)
        .replace(/^_+|_+$/g, '') || 'policy';
    const start = /^[a-z_]/.test(base) ? base : `_${base}`;
    let label = start;
    for (let suffix = 2; taken.has(label); suffix++) label = `${start}_${suffix}`;
    taken.add(label);
    return label;
  };
}

/** A comment line: outside text in it is inert, so no name can end the comment and start HCL of its own. */
const comment = (text: string): string => `# ${inert(text, 400)}`;

const PRINCIPAL_BLOCKS = { Principal: 'principals', NotPrincipal: 'not_principals' } as const;
const LIST_ARGUMENTS = { Action: 'actions', NotAction: 'not_actions', Resource: 'resources', NotResource: 'not_resources' } as const;

/**
 * One statement as an aws_iam_policy_document `statement` block
 * (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document).
 * `Principal: "*"` is `type = "*"`, `identifiers = ["*"]`, which the provider renders as `"Principal": "*"`.
 */
function statementBlock(statement: Statement): string[] {
  const lines = ['  statement {'];
  if (statement.Sid !== undefined) lines.push(`    sid    = ${hclString(statement.Sid)}`);
  lines.push(`    effect = ${hclString(statement.Effect)}`);
  for (const [key, block] of Object.entries(PRINCIPAL_BLOCKS)) {
    const principal = statement[key as keyof typeof PRINCIPAL_BLOCKS];
    if (principal === undefined) continue;
    const types: [string, string[]][] =
      principal === '*'
        ? [['*', ['*']]]
        : Object.keys(principal)
            .sort(byText)
            .map((type) => [type, asList(principal[type])]);
    for (const [type, identifiers] of types) {
      lines.push(
        `    ${block} {`,
        `      type        = ${hclString(type)}`,
        `      identifiers = ${hclValue([...identifiers].sort(byText), '      ')}`,
        '    }',
      );
    }
  }
  for (const [key, argument] of Object.entries(LIST_ARGUMENTS)) {
    const value = statement[key as keyof typeof LIST_ARGUMENTS];
    if (value !== undefined) lines.push(`    ${argument} = ${hclValue([...asList(value)].sort(byText), '    ')}`);
  }
  for (const [test, keys] of Object.entries(statement.Condition ?? {}).sort(([a], [b]) => byText(a, b))) {
    for (const [variable, values] of Object.entries(keys).sort(([a], [b]) => byText(a, b))) {
      lines.push(
        '    condition {',
        `      test     = ${hclString(test)}`,
        `      variable = ${hclString(variable)}`,
        `      values   = ${hclValue([...asList(values)].sort(byText), '      ')}`,
        '    }',
      );
    }
  }
  lines.push('  }');
  return lines;
}

/**
 * The Terraform form: an `aws_iam_role_policy` per pulling role (the whole allowlist policy, as
 * `jsonencode` of an HCL object, not a JSON string) and a `data "aws_iam_policy_document"` per grant
 * statement, with a comment saying where to merge it. Labels are valid, unique and stable.
 */
export function documentsTerraform(input: DocumentsToWrite): string {
  const label = labeller();
  const blocks: string[] = [];
  for (const allowlist of sortedAllowlists(input)) {
    blocks.push(
      [
        comment(`The pull allowlist publish-image keeps on role ${allowlist.roleArn} (inline policy ${allowlist.policyName}).`),
        `resource "aws_iam_role_policy" "${label(`${allowlist.roleName}_${allowlist.policyName}`)}" {`,
        `  role   = ${hclString(allowlist.roleName)}`,
        `  name   = ${hclString(allowlist.policyName)}`,
        `  policy = jsonencode(${hclValue(canonicalDocument(allowlist.document), '  ')})`,
        '}',
      ].join('\n'),
    );
  }
  for (const grant of sortedGrants(input)) {
    const name = label(grant.replica ? `${grant.repository}_${grant.replica.region}_${grant.sid}` : `${grant.repository}_${grant.sid}`);
    const where = grant.replica
      ? `the replica of repository ${grant.repository} in ${grant.replica.region} (registry ${grant.replica.registryId}; write it through a provider for that region and account)`
      : `repository ${grant.repository}`;
    blocks.push(
      [
        comment(`The grant publish-image writes on ${where}: one statement (Sid ${grant.sid}), not the whole policy.`),
        '# aws_ecr_repository_policy takes over the whole repository policy document: do not give this',
        '# statement a repository policy of its own. Merge it into whatever owns that policy, e.g.',
        `#   source_policy_documents = [data.aws_iam_policy_document.${name}.json, <the other statements>]`,
        '# in the aws_iam_policy_document it writes (override_policy_documents replaces statements with the same sid).',
        `data "aws_iam_policy_document" "${name}" {`,
        ...statementBlock(grant.statement),
        '}',
      ].join('\n'),
    );
  }
  return `${blocks.join('\n\n')}\n`;
}
