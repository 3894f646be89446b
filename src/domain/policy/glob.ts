/**
 * IAM's wildcards (`*` any run of characters, `?` one character) matched without regular
 * expressions: a set of pattern positions is carried through the text, so a pattern with many `*`
 * against a long name costs at most pattern × text steps, never exponential backtracking.
 */

function same(a: string, b: string, ignoreCase: boolean): boolean {
  return a === b || (ignoreCase && a.toLowerCase() === b.toLowerCase());
}

/** Adds the positions reachable without consuming a character (a `*` may match nothing). */
function closure(pattern: string[], positions: Set<number>): Set<number> {
  for (const position of positions) {
    let next = position;
    while (pattern[next] === '*') positions.add(++next);
  }
  return positions;
}

/** The pattern positions reachable after reading `text` from the start of the pattern (both as code points). */
function advance(pattern: string[], text: string, ignoreCase: boolean): Set<number> {
  let positions = closure(pattern, new Set([0]));
  for (const char of text) {
    const next = new Set<number>();
    for (const position of positions) {
      const token = pattern[position];
      if (token === undefined) continue;
      if (token === '*') next.add(position);
      else if (token === '?' || same(token, char, ignoreCase)) next.add(position + 1);
    }
    if (next.size === 0) return next;
    positions = closure(pattern, next);
  }
  return positions;
}

export interface GlobOptions {
  ignoreCase?: boolean;
}

/** Does `pattern` match all of `text`? */
export function globMatch(pattern: string, text: string, options: GlobOptions = {}): boolean {
  if (pattern === '*') return true;
  const tokens = [...pattern];
  return advance(tokens, text, options.ignoreCase ?? false).has(tokens.length);
}

/**
 * For a value of which only the start is known (`prefix` + a non-empty rest fixed by the request):
 * 'all' when the pattern matches whatever the rest is, 'none' when it matches no rest, else 'some'.
 */
export function globMatchPrefix(pattern: string, prefix: string, options: GlobOptions = {}): 'all' | 'none' | 'some' {
  const tokens = [...pattern];
  const positions = advance(tokens, prefix, options.ignoreCase ?? false);
  const rests = [...positions].map((position) => tokens.slice(position).join('')).filter((rest) => rest.length > 0);
  if (rests.length === 0) return 'none';
  if (rests.some((rest) => /^\*+$/.test(rest))) return 'all';
  return 'some';
}
