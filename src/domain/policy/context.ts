/**
 * The request context of one pull by a session of the staging role: the condition keys AWS would
 * put into it, as far as the run can know them before the pull happens. Pure data.
 *
 * Every key is in exactly one of three states:
 * - known: its value(s) are fixed by the principal, the resource or the pull itself;
 * - absent: AWS would not put it into this request at all (e.g. aws:PrincipalOrgID for an account
 *   outside any organization, aws:SourceAccount for a role caller);
 * - unknown: anything else. Only the pull itself would know it (source IP, VPC, time, MFA, session
 *   name, session tags) or the run could not read it. A statement that depends on it is "conditional".
 */

/**
 * A value of which only the start is known: the rest is fixed by the pull (e.g. aws:userid of a
 * role session is `AROA…:<session name>`, and the session name is not known ahead of the pull).
 */
export interface PartialValue {
  prefix: string;
}

export type ContextValue = string | PartialValue;

export interface RequestContext {
  /** Lower-cased key name → its values (one for single-valued keys; several for aws:PrincipalOrgPaths). */
  known: Map<string, ContextValue[]>;
  /** Lower-cased key names AWS would leave out of this request. */
  absent: Set<string>;
  /**
   * Lower-cased key prefixes (`aws:resourcetag/`) whose every key not in `known` is absent: the run
   * read the whole set (a repository's tags, a role's tags when no session can add any).
   */
  absentPrefixes?: string[];
  /** Lower-cased key names that stay unknown although a prefix above would call them absent. */
  unknown?: Set<string>;
}

export function isPartial(value: ContextValue): value is PartialValue {
  return typeof value !== 'string';
}

/** Condition keys are case-insensitive (the part after `/` of a tag key is matched as AWS does, case-insensitively too). */
export function contextKey(key: string): string {
  return key.toLowerCase();
}

export type KeyLookup = { state: 'known'; values: ContextValue[] } | { state: 'absent' } | { state: 'unknown' };

export function lookupKey(context: RequestContext, key: string): KeyLookup {
  const name = contextKey(key);
  const values = context.known.get(name);
  if (values) return { state: 'known', values };
  if (context.absent.has(name)) return { state: 'absent' };
  if (context.unknown?.has(name)) return { state: 'unknown' };
  if (context.absentPrefixes?.some((prefix) => name.startsWith(prefix))) return { state: 'absent' };
  return { state: 'unknown' };
}

/** Builds a context from plain records (tests, and the builder in ./request-context.ts). */
export function makeContext(known: Record<string, ContextValue | ContextValue[]>, absent: string[] = []): RequestContext {
  return {
    known: new Map(Object.entries(known).map(([key, value]) => [contextKey(key), Array.isArray(value) ? value : [value]])),
    absent: new Set(absent.map(contextKey)),
  };
}

/** An empty context: every key unknown (what the evaluator assumed before request contexts existed). */
export const UNKNOWN_CONTEXT: RequestContext = { known: new Map(), absent: new Set() };
