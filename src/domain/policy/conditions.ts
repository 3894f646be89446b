/**
 * IAM's Condition element, evaluated over a request context of which some keys may be unknown.
 * Pure: no I/O. Follows AWS's IAM User Guide pages "IAM JSON policy elements: Condition operators",
 * "Conditions with multiple context keys or values", "Single-valued vs. multivalued context keys"
 * and "IAM policy elements: Variables and tags".
 *
 * Results are three-valued: `match`, `no-match`, or `unknown` naming what the run cannot know.
 * Policy text is hostile input: wildcards go through ./glob.ts (linear, no RegExp from policy text).
 */
import { type ContextValue, type RequestContext, isPartial, lookupKey } from './context.js';
import { globMatch, globMatchPrefix } from './glob.js';

export type ConditionResult =
  | { outcome: 'match' }
  | { outcome: 'no-match' }
  /** keys: the condition keys (as written in the policy) the run cannot know, or `operator OP` for one it does not support. */
  | { outcome: 'unknown'; keys: string[] };

export type Resolved = { outcome: 'resolved'; value: string } | { outcome: 'absent' } | { outcome: 'unknown'; keys: string[] };

export interface ConditionOptions {
  /**
   * Resolve `${…}` policy variables (default true). AWS resolves them only in policies with
   * `"Version": "2012-10-17"`; in older ones they are literal text.
   */
  policyVariables?: boolean;
}

const MATCH: ConditionResult = { outcome: 'match' };
const NO_MATCH: ConditionResult = { outcome: 'no-match' };
const unknown = (keys: string[]): ConditionResult => ({ outcome: 'unknown', keys: [...new Set(keys)] });

/** AND: one definite no-match decides, whatever else is unknown. */
function all(results: ConditionResult[]): ConditionResult {
  if (results.some((result) => result.outcome === 'no-match')) return NO_MATCH;
  const keys = results.flatMap((result) => (result.outcome === 'unknown' ? result.keys : []));
  return keys.length > 0 ? unknown(keys) : MATCH;
}

/** OR: one definite match decides, whatever else is unknown. */
function any(results: ConditionResult[]): ConditionResult {
  if (results.some((result) => result.outcome === 'match')) return MATCH;
  const keys = results.flatMap((result) => (result.outcome === 'unknown' ? result.keys : []));
  return keys.length > 0 ? unknown(keys) : NO_MATCH;
}

const not = (result: ConditionResult): ConditionResult => (result.outcome === 'unknown' ? result : result.outcome === 'match' ? NO_MATCH : MATCH);

// ---------------------------------------------------------------------------------------------
// Policy variables and wildcards

/** A wildcard from the policy text; any other piece is literal text (escapes and resolved variables included). */
const ANY = { wildcard: '*' } as const;
const ONE = { wildcard: '?' } as const;
type Piece = string | typeof ANY | typeof ONE;

type Pieces = { outcome: 'resolved'; pieces: Piece[] } | { outcome: 'absent' } | { outcome: 'unknown'; keys: string[] };

const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };

/** `name` or `name, 'default'` (AWS: the default is single-quoted, after a comma and a space). */
function parseVariable(inner: string): { name: string; fallback?: string } {
  const comma = inner.indexOf(", '");
  if (comma !== -1 && inner.endsWith("'") && inner.length >= comma + 4) {
    return { name: inner.slice(0, comma).trim(), fallback: inner.slice(comma + 3, -1) };
  }
  return { name: inner.trim() };
}

/** One variable's value: a single known string; several values or none count as no value (AWS: multivalued keys cannot be variables). */
function variableValue(name: string, fallback: string | undefined, context: RequestContext): Pieces {
  const lookup = lookupKey(context, name);
  if (lookup.state === 'unknown') return { outcome: 'unknown', keys: [name] };
  if (lookup.state === 'known' && lookup.values.length === 1) {
    const [value] = lookup.values;
    return isPartial(value) ? { outcome: 'unknown', keys: [name] } : { outcome: 'resolved', pieces: [value] };
  }
  return fallback === undefined ? { outcome: 'absent' } : { outcome: 'resolved', pieces: [fallback] };
}

/**
 * Splits a policy value into literal text and wildcards, resolving `${…}` variables from the context.
 * A variable with no value and no default makes the whole value "no value" (AWS: "Policy variables
 * with no value"), which no request value equals; that wins over a variable the run cannot know.
 */
function tokenize(text: string, context: RequestContext, wildcards: boolean, variables: boolean): Pieces {
  const pieces: Piece[] = [];
  const unknownKeys: string[] = [];
  let absent = false;
  let literal = '';
  let closersLeft = true; // once no `}` follows, no later `${` can be a variable: keeps this linear
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (variables && closersLeft && char === '$' && text[index + 1] === '{') {
      const end = text.indexOf('}', index + 2);
      if (end === -1) closersLeft = false;
      const inner = end === -1 ? '' : text.slice(index + 2, end);
      if (end !== -1 && inner.trim() !== '') {
        if (inner in ESCAPES) literal += ESCAPES[inner];
        else {
          const { name, fallback } = parseVariable(inner);
          const value = variableValue(name, fallback, context);
          if (value.outcome === 'resolved') literal += value.pieces.join('');
          else if (value.outcome === 'absent') absent = true;
          else unknownKeys.push(...value.keys);
        }
        index = end + 1;
        continue;
      }
    }
    if (wildcards && (char === '*' || char === '?')) {
      if (literal) pieces.push(literal);
      literal = '';
      pieces.push(char === '*' ? ANY : ONE);
    } else {
      literal += char;
    }
    index += 1;
  }
  if (literal) pieces.push(literal);
  if (absent) return { outcome: 'absent' };
  if (unknownKeys.length > 0) return { outcome: 'unknown', keys: [...new Set(unknownKeys)] };
  return { outcome: 'resolved', pieces };
}

/**
 * Resolves policy variables in `text` (`${aws:PrincipalAccount}`, `${aws:PrincipalTag/team, 'none'}`,
 * and the escapes `${*}` `${?}` `${$}`). `*` and `?` in the result are plain characters: a caller that
 * globs the result reads an escaped `${*}` as a wildcard.
 */
export function resolvePolicyVariables(text: string, context: RequestContext): Resolved {
  const tokens = tokenize(text, context, false, true);
  if (tokens.outcome !== 'resolved') return tokens;
  return { outcome: 'resolved', value: tokens.pieces.join('') };
}

/** The first private-use characters that occur in none of `texts` (stand-ins for a literal `*` and `?`). */
function freeCharacters(texts: string[]): [string, string] | undefined {
  const used = new Set(texts.join(''));
  const free: string[] = [];
  for (let code = 0xe000; code <= 0xf8ff && free.length < 2; code += 1) {
    if (!used.has(String.fromCharCode(code))) free.push(String.fromCharCode(code));
  }
  return free.length === 2 ? [free[0], free[1]] : undefined;
}

type Test = 'yes' | 'no' | 'invalid' | { maybe: string[] };

/**
 * Does the pattern match the value (or every completion of a partial value)? glob.ts has no escape
 * for a literal `*` or `?`, so when the literal text holds one, both sides spell it with a private-use
 * character that occurs nowhere else.
 */
function matchPieces(pieces: Piece[], value: ContextValue, ignoreCase: boolean, key: string): Test {
  const subject = isPartial(value) ? value.prefix : value;
  const literals = pieces.filter((piece): piece is string => typeof piece === 'string');
  let pattern = pieces.map((piece) => (typeof piece === 'string' ? piece : piece.wildcard)).join('');
  let text = subject;
  if (literals.some((piece) => piece.includes('*') || piece.includes('?'))) {
    const free = freeCharacters([...literals, subject]);
    if (!free) return { maybe: [key] }; // only for values holding 6,400 distinct private-use characters
    const [star, question] = free;
    const spell = (part: string): string => part.replaceAll('*', star).replaceAll('?', question);
    pattern = pieces.map((piece) => (typeof piece === 'string' ? spell(piece) : piece.wildcard)).join('');
    text = spell(subject);
  }
  if (!isPartial(value)) return globMatch(pattern, text, { ignoreCase }) ? 'yes' : 'no';
  const completions = globMatchPrefix(pattern, text, { ignoreCase });
  return completions === 'all' ? 'yes' : completions === 'none' ? 'no' : { maybe: [key] };
}

// ---------------------------------------------------------------------------------------------
// ARNs: six colon-separated components, each globbed on its own (AWS: "ArnEquals and ArnLike
// behave identically"; both honour wildcards; matching is case-sensitive).

function splitArnPieces(pieces: Piece[]): Piece[][] | undefined {
  const segments: Piece[][] = [[]];
  for (const piece of pieces) {
    if (typeof piece !== 'string') {
      segments[segments.length - 1].push(piece);
      continue;
    }
    let run = '';
    for (const char of piece) {
      if (char === ':' && segments.length < 6) {
        if (run) segments[segments.length - 1].push(run);
        run = '';
        segments.push([]);
      } else {
        run += char;
      }
    }
    if (run) segments[segments.length - 1].push(run);
  }
  return segments.length === 6 ? segments : undefined;
}

function splitArn(value: string): string[] | undefined {
  const parts = value.split(':');
  return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function matchArn(pieces: Piece[], value: ContextValue, key: string): Test {
  const patterns = splitArnPieces(pieces);
  if (!patterns) return 'invalid';
  if (!isPartial(value)) {
    const segments = splitArn(value);
    if (!segments) return 'invalid';
    return combineAll(patterns.map((pattern, index) => matchPieces(pattern, segments[index], false, key)));
  }
  // A partial ARN: its complete components are compared; the component being written is a prefix
  // when it is the resource (the rest holds no more separators), else only the request can tell.
  const known = value.prefix.split(':');
  const complete = known.slice(0, Math.min(known.length - 1, 5));
  const tests = complete.map((segment, index) => matchPieces(patterns[index], segment, false, key));
  if (complete.length === 5) tests.push(matchPieces(patterns[5], { prefix: known.slice(5).join(':') }, false, key));
  else tests.push({ maybe: [key] });
  return combineAll(tests);
}

/** Every component must match. */
function combineAll(tests: Test[]): Test {
  if (tests.includes('invalid')) return 'invalid';
  if (tests.includes('no')) return 'no';
  const keys = tests.flatMap((test) => (typeof test === 'object' ? test.maybe : []));
  return keys.length > 0 ? { maybe: keys } : 'yes';
}

// ---------------------------------------------------------------------------------------------
// Numbers, dates, booleans, binary, IP addresses. A value that does not parse (like an ARN without
// six components) matches nothing, and under a negated operator it makes the condition false too:
// AWS's docs do not say; iam-simulate does the same, and it never turns a typo into a pass.

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function parseNumber(text: string): number | undefined {
  return DECIMAL.test(text) ? Number(text) : undefined;
}

// W3C's ISO 8601 profile (https://www.w3.org/TR/NOTE-datetime): YYYY[-MM[-DD[Thh:mm[:ss[.s…]]TZD]]].
const ISO_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** Milliseconds since the epoch. A string of digits is epoch seconds (aws:EpochTime); a time without a zone is UTC. */
function parseDate(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const parts = ISO_DATE.exec(text);
  if (!parts) return undefined;
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = parts;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, Number(fraction.slice(0, 3).padEnd(3, '0')));
  if (new Date(utc).getUTCDate() !== d) return undefined; // 31 April and the like
  const [zoneHours, zoneMinutes] = zone === 'Z' ? [0, 0] : [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
  if (zoneHours > 23 || zoneMinutes > 59) return undefined;
  const offset = (zone[0] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  return utc - offset * 60_000;
}

function parseBool(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** BinaryEquals compares bytes; the policy holds them base64-encoded, and so does the context. */
function parseBinary(text: string): string | undefined {
  return BASE64.test(text) ? Buffer.from(text, 'base64').toString('hex') : undefined;
}

interface Address {
  version: 4 | 6;
  bits: bigint;
}

function parseIPv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4 || !octets.every((octet) => /^(0|[1-9]\d{0,2})$/.test(octet) && Number(octet) <= 255)) return undefined;
  return octets.reduce((bits, octet) => (bits << 8n) | BigInt(octet), 0n);
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups = text.split(':');
  return groups.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group)) ? groups.map((group) => BigInt(`0x${group}`)) : undefined;
}

/** IPv6 with at most one `::`, optionally ending in a dotted IPv4 address. */
function parseIPv6(text: string): bigint | undefined {
  let head = text;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const left = parseGroups(halves[0]);
  const right = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!left || !right) return undefined;
  const given = left.length + right.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...left, ...Array<bigint>(8 - given).fill(0n), ...right, ...tail];
  return groups.reduce((bits, group) => (bits << 16n) | group, 0n);
}

function parseAddress(text: string): Address | undefined {
  if (text.includes(':')) {
    const bits = parseIPv6(text);
    return bits === undefined ? undefined : { version: 6, bits };
  }
  const bits = parseIPv4(text);
  return bits === undefined ? undefined : { version: 4, bits };
}

/** CIDR; a bare address is a /32 (IPv4) or /128 (IPv6) range. */
function parseRange(text: string): (Address & { length: number }) | undefined {
  const slash = text.indexOf('/');
  const address = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const max = address.version === 4 ? 32 : 128;
  if (slash === -1) return { ...address, length: max };
  const lengthText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > max) return undefined;
  return { ...address, length: Number(lengthText) };
}

function inRange(address: Address, range: Address & { length: number }): boolean {
  if (address.version !== range.version) return false;
  const shift = BigInt((address.version === 4 ? 32 : 128) - range.length);
  return address.bits >> shift === range.bits >> shift;
}

function compareParsed<T>(parse: (text: string) => T | undefined, test: (request: T, policy: T) => boolean) {
  return (policy: string, request: string): Test => {
    const [a, b] = [parse(request), parse(policy)];
    return a === undefined || b === undefined ? 'invalid' : test(a, b) ? 'yes' : 'no';
  };
}

// ---------------------------------------------------------------------------------------------
// Operators

type Family = 'string' | 'arn' | 'scalar' | 'null';

interface BaseOperator {
  family: Family;
  negated: boolean;
  /** Policy variables are resolved (AWS: String, ARN and Bool operators). */
  variables: boolean;
  /** `*` and `?` in the policy value are wildcards. */
  wildcards: boolean;
  ignoreCase?: boolean;
  /** Non-string families: one policy value against one request value, un-negated. */
  compare?: (policy: string, request: string) => Test;
}

const string = (negated: boolean, wildcards: boolean, ignoreCase = false): BaseOperator => ({
  family: 'string',
  negated,
  variables: true,
  wildcards,
  ignoreCase,
});
const arn = (negated: boolean): BaseOperator => ({ family: 'arn', negated, variables: true, wildcards: true });
const scalar = (compare: (policy: string, request: string) => Test, negated = false, variables = false): BaseOperator => ({
  family: 'scalar',
  negated,
  variables,
  wildcards: false,
  compare,
});

const numeric = (test: (request: number, policy: number) => boolean) => compareParsed(parseNumber, test);
const date = (test: (request: number, policy: number) => boolean) => compareParsed(parseDate, test);
const inCidr = (policy: string, request: string): Test => {
  const [address, range] = [parseAddress(request), parseRange(policy)];
  if (!address || !range) return 'invalid';
  return inRange(address, range) ? 'yes' : 'no';
};

const BASE_OPERATORS: Record<string, BaseOperator> = {
  StringEquals: string(false, false),
  StringNotEquals: string(true, false),
  StringEqualsIgnoreCase: string(false, false, true),
  StringNotEqualsIgnoreCase: string(true, false, true),
  StringLike: string(false, true),
  StringNotLike: string(true, true),
  NumericEquals: scalar(numeric((a, b) => a === b)),
  NumericNotEquals: scalar(
    numeric((a, b) => a === b),
    true,
  ),
  NumericLessThan: scalar(numeric((a, b) => a < b)),
  NumericLessThanEquals: scalar(numeric((a, b) => a <= b)),
  NumericGreaterThan: scalar(numeric((a, b) => a > b)),
  NumericGreaterThanEquals: scalar(numeric((a, b) => a >= b)),
  DateEquals: scalar(date((a, b) => a === b)),
  DateNotEquals: scalar(
    date((a, b) => a === b),
    true,
  ),
  DateLessThan: scalar(date((a, b) => a < b)),
  DateLessThanEquals: scalar(date((a, b) => a <= b)),
  DateGreaterThan: scalar(date((a, b) => a > b)),
  DateGreaterThanEquals: scalar(date((a, b) => a >= b)),
  Bool: scalar(
    compareParsed(parseBool, (a, b) => a === b),
    false,
    true,
  ),
  BinaryEquals: scalar(compareParsed(parseBinary, (a, b) => a === b)),
  IpAddress: scalar(inCidr),
  NotIpAddress: scalar(inCidr, true),
  ArnEquals: arn(false),
  ArnLike: arn(false),
  ArnNotEquals: arn(true),
  ArnNotLike: arn(true),
  Null: { family: 'null', negated: false, variables: false, wildcards: false },
};

interface Operator extends BaseOperator {
  set?: 'ForAnyValue' | 'ForAllValues';
  ifExists: boolean;
}

/** Operator names are matched exactly as AWS spells them; anything else is unsupported. */
function parseOperator(name: string): Operator | undefined {
  const colon = name.indexOf(':');
  const prefix = colon === -1 ? undefined : name.slice(0, colon);
  if (prefix !== undefined && prefix !== 'ForAnyValue' && prefix !== 'ForAllValues') return undefined;
  let base = colon === -1 ? name : name.slice(colon + 1);
  const ifExists = base.endsWith('IfExists');
  if (ifExists) base = base.slice(0, -'IfExists'.length);
  const operator = Object.hasOwn(BASE_OPERATORS, base) ? BASE_OPERATORS[base] : undefined;
  // Null takes neither IfExists (AWS says so) nor a set prefix (it tests presence, not values).
  if (!operator || (operator.family === 'null' && (ifExists || prefix))) return undefined;
  return { ...operator, set: prefix, ifExists };
}

/** Stored JSON may hold numbers and booleans where IAM means their text; anything else is no value. */
function policyValues(raw: unknown): (string | undefined)[] {
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  return Array.isArray(raw) ? raw.map(text) : [text(raw)];
}

/**
 * The un-negated operator, one request value against the policy's values (OR'ed), as a
 * three-valued result; `invalid` (a value that does not parse) is reported separately because a
 * negated operator must not turn it into a match.
 */
function testValue(
  operator: Operator,
  key: string,
  request: ContextValue,
  values: (string | undefined)[],
  context: RequestContext,
  options: ConditionOptions,
): Test[] {
  return values.map((value): Test => {
    if (value === undefined) return 'invalid';
    const tokens = tokenize(value, context, operator.wildcards, operator.variables && options.policyVariables !== false);
    if (tokens.outcome === 'absent') return 'no'; // AWS: a variable with no value equals nothing
    if (tokens.outcome === 'unknown') return { maybe: tokens.keys };
    if (operator.family === 'string') return matchPieces(tokens.pieces, request, operator.ignoreCase ?? false, key);
    if (operator.family === 'arn') return matchArn(tokens.pieces, request, key);
    if (isPartial(request)) return { maybe: [key] };
    return operator.compare!(tokens.pieces.join(''), request);
  });
}

/** One request value: OR over the policy's values; a negated operator is NOR, and false on a value that does not parse. */
function evaluateValue(
  operator: Operator,
  key: string,
  request: ContextValue,
  values: (string | undefined)[],
  context: RequestContext,
  options: ConditionOptions,
): ConditionResult {
  const tests = testValue(operator, key, request, values, context, options);
  if (operator.negated && tests.includes('invalid')) return NO_MATCH;
  const positive = any(tests.map((test) => (test === 'yes' ? MATCH : typeof test === 'object' ? unknown(test.maybe) : NO_MATCH)));
  return operator.negated ? not(positive) : positive;
}

/**
 * A key missing from the request (AWS, "Condition operators"): false, but true for a negated
 * operator; `…IfExists` is true. ForAllValues is true and ForAnyValue false ("Conditions with
 * multiple context keys or values"); IfExists wins over ForAnyValue, as AWS documents IfExists.
 */
function whenAbsent(operator: Operator): ConditionResult {
  if (operator.ifExists) return MATCH;
  if (operator.set === 'ForAllValues') return MATCH;
  if (operator.set === 'ForAnyValue') return NO_MATCH;
  return operator.negated ? MATCH : NO_MATCH;
}

/** Null: `true` means the key is absent, `false` that it is present; decided even for an unknown key when both answers agree. */
function evaluateNull(key: string, values: (string | undefined)[], context: RequestContext): ConditionResult {
  const wanted = values.map((value) => (value === undefined ? undefined : parseBool(value)));
  const holds = (present: boolean): boolean => wanted.some((absent) => absent !== undefined && absent === !present);
  const state = lookupKey(context, key).state;
  if (state !== 'unknown') return holds(state === 'known') ? MATCH : NO_MATCH;
  return holds(true) === holds(false) ? (holds(true) ? MATCH : NO_MATCH) : unknown([key]);
}

function evaluateKey(operator: Operator, key: string, raw: unknown, context: RequestContext, options: ConditionOptions): ConditionResult {
  const values = policyValues(raw);
  if (operator.family === 'null') return evaluateNull(key, values, context);
  const lookup = lookupKey(context, key);
  if (lookup.state === 'unknown') return unknown([key]);
  if (lookup.state === 'absent') return whenAbsent(operator);
  if (operator.set) {
    // AWS: request values that "resolve to an empty data set (for example, an empty string)" make
    // ForAllValues true and ForAnyValue false.
    const members = lookup.values.filter((value) => value !== '');
    const results = members.map((value) => evaluateValue(operator, key, value, values, context, options));
    return operator.set === 'ForAllValues' ? all(results) : any(results);
  }
  if (lookup.values.length === 0) return whenAbsent(operator);
  // AWS: "Multivalued context keys require a condition set operator"; what a plain operator does
  // with several values is not documented, so the run does not guess.
  if (lookup.values.length > 1) return unknown([key]);
  return evaluateValue(operator, key, lookup.values[0], values, context, options);
}

/**
 * Does the Condition element hold for the request? Operators and keys are AND'ed, a key's values
 * OR'ed (NOR'ed for negated operators). An unsupported operator is `unknown`, never a pass.
 */
export function evaluateCondition(
  condition: Record<string, Record<string, unknown>> | undefined,
  context: RequestContext,
  options: ConditionOptions = {},
): ConditionResult {
  if (!condition) return MATCH;
  const results: ConditionResult[] = [];
  for (const [name, block] of Object.entries(condition)) {
    const operator = parseOperator(name);
    if (!operator || typeof block !== 'object' || block === null || Array.isArray(block)) {
      results.push(unknown([`operator ${name}`]));
      continue;
    }
    for (const [key, raw] of Object.entries(block)) results.push(evaluateKey(operator, key, raw, context, options));
  }
  return all(results);
}
