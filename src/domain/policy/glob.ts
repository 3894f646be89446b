/**
 * IAM's wildcards (`*` any run of characters, `?` one character) matched without regular
 * expressions: a set of pattern positions is carried through the text, so a pattern with many `*`
 * against a long name costs at most pattern × text steps, never exponential backtracking. The set
 * is an array of 0/1 per position, two of them swapped per character, not a Set per character: a
 * run of 3,000 cells matches thousands of ARNs, and those Sets were most of what the verdicts
 * allocated. Plain arrays, not Uint8Array: a typed array over 64 bytes keeps its store outside the heap.
 */

function same(a: string, b: string, ignoreCase: boolean): boolean {
  return a === b || (ignoreCase && a.toLowerCase() === b.toLowerCase());
}

/** Adds the positions reachable without consuming a character (a `*` may match nothing); ascending, so a run of `*` closes in one pass. */
function closure(pattern: string[], positions: number[]): void {
  for (let position = 0; position < pattern.length; position++) if (positions[position] && pattern[position] === '*') positions[position + 1] = 1;
}

/**
 * The pattern positions reachable after reading `text` from the start of the pattern (both as code
 * points), ascending; empty when none is. Pattern characters before position `ignoreCaseBefore` compare case-insensitively.
 */
function advance(pattern: string[], text: string, ignoreCaseBefore: number): number[] {
  let positions = new Array<number>(pattern.length + 1).fill(0);
  let next = new Array<number>(pattern.length + 1).fill(0);
  positions[0] = 1;
  closure(pattern, positions);
  for (const char of text) {
    next.fill(0);
    let any = false;
    for (let position = 0; position < pattern.length; position++) {
      if (!positions[position]) continue;
      const token = pattern[position];
      if (token === '*') next[position] = 1;
      else if (token === '?' || same(token, char, position < ignoreCaseBefore)) next[position + 1] = 1;
      else continue;
      any = true;
    }
    if (!any) return [];
    closure(pattern, next);
    const read = positions;
    positions = next;
    next = read;
  }
  const reached: number[] = [];
  for (let position = 0; position <= pattern.length; position++) if (positions[position]) reached.push(position);
  return reached;
}

export interface GlobOptions {
  ignoreCase?: boolean;
  /** Only the pattern's first N code points compare case-insensitively (an ARN's part before its resource). */
  ignoreCaseBefore?: number;
}

function caseLimit(options: GlobOptions): number {
  return options.ignoreCase ? Infinity : (options.ignoreCaseBefore ?? 0);
}

/** Does `pattern` match all of `text`? */
export function globMatch(pattern: string, text: string, options: GlobOptions = {}): boolean {
  if (pattern === '*') return true;
  const tokens = [...pattern];
  return advance(tokens, text, caseLimit(options)).includes(tokens.length);
}

/**
 * For a value of which only the start is known (`prefix` + a non-empty rest fixed by the request):
 * 'all' when the pattern matches whatever the rest is, 'none' when it matches no rest, else 'some'.
 */
export function globMatchPrefix(pattern: string, prefix: string, options: GlobOptions = {}): 'all' | 'none' | 'some' {
  const tokens = [...pattern];
  const positions = advance(tokens, prefix, caseLimit(options));
  const rests = positions.map((position) => tokens.slice(position).join('')).filter((rest) => rest.length > 0);
  if (rests.length === 0) return 'none';
  if (rests.some((rest) => /^\*+$/.test(rest))) return 'all';
  return 'some';
}

/** Stand-ins for the escapes `${*}` and `${?}` in a Resource: a literal `*` or `?`, never a wildcard. */
export const LITERAL_STAR = '\uE000';
export const LITERAL_QUESTION = '\uE001';

type ArnToken = { kind: 'char'; char: string; fold: boolean } | { kind: 'any'; crossesColons: boolean } | { kind: 'one' };

/**
 * An ARN pattern as IAM reads a Resource ("IAM JSON policy elements: Resource"): `*` and `?` work
 * within a segment (the parts separated by colons), `*` there spans any characters, `/` included;
 * "if the `*` wildcard is the last character of a resource ARN segment, it can expand to match
 * beyond the colon boundaries". `foldBefore`: pattern characters before it compare case-insensitively.
 */
function arnTokens(pattern: string, foldBefore: number): ArnToken[] {
  const chars = [...pattern];
  return chars.map((char, index): ArnToken => {
    if (char === '*') return { kind: 'any', crossesColons: index === chars.length - 1 || chars[index + 1] === ':' };
    if (char === '?') return { kind: 'one' };
    const literal = char === LITERAL_STAR ? '*' : char === LITERAL_QUESTION ? '?' : char;
    return { kind: 'char', char: literal, fold: index < foldBefore };
  });
}

/** Does the ARN pattern match all of `arn`? Linear in pattern × text, like `globMatch` (and, like it, 0/1 per position, not a Set per character). */
export function arnGlobMatch(pattern: string, arn: string, options: { foldBefore: number }): boolean {
  const tokens = arnTokens(pattern, options.foldBefore);
  const close = (positions: number[]): void => {
    for (let position = 0; position < tokens.length; position++) if (positions[position] && tokens[position].kind === 'any') positions[position + 1] = 1;
  };
  let positions = new Array<number>(tokens.length + 1).fill(0);
  let next = new Array<number>(tokens.length + 1).fill(0);
  positions[0] = 1;
  close(positions);
  for (const char of arn) {
    next.fill(0);
    let any = false;
    for (let position = 0; position < tokens.length; position++) {
      if (!positions[position]) continue;
      const token = tokens[position];
      if (token.kind === 'any') {
        if (char === ':' && !token.crossesColons) continue;
        next[position] = 1;
      } else if (token.kind === 'one') {
        if (char === ':') continue;
        next[position + 1] = 1;
      } else if (same(token.char, char, token.fold)) next[position + 1] = 1;
      else continue;
      any = true;
    }
    if (!any) return false;
    close(next);
    const read = positions;
    positions = next;
    next = read;
  }
  return positions[tokens.length] === 1;
}
