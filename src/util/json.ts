/**
 * JSON from outside (a manifest, a stored policy) parsed with limits, and with errors that say
 * where, never what: V8's own messages quote the start of the text, which may be a secret file.
 */
export interface JsonLimits {
  /** Deepest nesting of arrays and objects allowed (JSON.stringify overflows the stack at a few thousand). */
  maxDepth: number;
}

export class JsonTextError extends Error {
  constructor(
    readonly problem: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${problem} at line ${line}, column ${column}`);
    this.name = 'JsonTextError';
  }
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text.charCodeAt(index) === 10) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Index just past the string that starts at `start` (a `"`), or -1 with `bad` set to where it breaks. */
function scanString(text: string, start: number): { end: number } | { bad: number; problem: string } {
  for (let index = start + 1; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x22) return { end: index + 1 };
    if (code < 0x20) return { bad: index, problem: 'a control character inside a string' };
    if (code === 0x5c) {
      const next = text[index + 1];
      if (next === 'u') {
        if (!HEX4.test(text.slice(index + 2, index + 6))) return { bad: index, problem: 'a bad \\u escape' };
        index += 5;
      } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
        index += 1;
      } else {
        return { bad: index, problem: 'a bad escape' };
      }
    }
  }
  return { bad: text.length, problem: 'an unterminated string' };
}

/**
 * Checks the grammar and the nesting depth without recursion, then parses. Throws JsonTextError
 * with the line and column of the first problem (and no part of the text).
 */
export function parseJsonText(text: string, limits: JsonLimits): unknown {
  const stack: number[] = [];
  type State = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'after';
  let state: State = 'value';
  let index = 0;
  const fail = (at: number, problem: string): never => {
    const { line, column } = position(text, at);
    throw new JsonTextError(problem, line, column);
  };
  for (;;) {
    while (index < text.length && ' \t\n\r'.includes(text[index])) index++;
    if (index >= text.length) {
      if (stack.length === 0 && state === 'after') break;
      fail(index, 'unexpected end of the text');
    }
    const char = text[index];
    if (state === 'value' || state === 'valueOrEnd') {
      if (state === 'valueOrEnd' && char === ']') {
        stack.pop();
        index++;
        state = 'after';
        continue;
      }
      if (char === '{' || char === '[') {
        stack.push(char.charCodeAt(0));
        if (stack.length > limits.maxDepth) fail(index, `nesting deeper than ${limits.maxDepth} levels`);
        index++;
        state = char === '{' ? 'keyOrEnd' : 'valueOrEnd';
        continue;
      }
      if (char === '"') {
        const scanned = scanString(text, index);
        if ('bad' in scanned) fail(scanned.bad, scanned.problem);
        else index = scanned.end;
        state = 'after';
        continue;
      }
      const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, index));
      if (literal) {
        index += literal.length;
        state = 'after';
        continue;
      }
      NUMBER.lastIndex = index;
      if (NUMBER.test(text)) {
        index = NUMBER.lastIndex;
        state = 'after';
        continue;
      }
      fail(index, 'expected a value');
    }
    if (state === 'key' || state === 'keyOrEnd') {
      if (state === 'keyOrEnd' && char === '}') {
        stack.pop();
        index++;
        state = 'after';
        continue;
      }
      if (char !== '"') fail(index, 'expected a property name in double quotes');
      const scanned = scanString(text, index);
      if ('bad' in scanned) fail(scanned.bad, scanned.problem);
      else index = scanned.end;
      state = 'colon';
      continue;
    }
    if (state === 'colon') {
      if (char !== ':') fail(index, "expected ':' after a property name");
      index++;
      state = 'value';
      continue;
    }
    // state === 'after': a value has ended.
    const open = stack.at(-1);
    if (open === undefined) fail(index, 'unexpected text after the end of the JSON value');
    if (char === ',') {
      index++;
      state = open === 0x7b ? 'key' : 'value';
    } else if ((char === '}' && open === 0x7b) || (char === ']' && open === 0x5b)) {
      stack.pop();
      index++;
    } else {
      fail(index, open === 0x7b ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  }
  return JSON.parse(text);
}
