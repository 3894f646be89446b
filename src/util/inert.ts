/** Pure text guards for anything printed: outside strings quoted inert, and no plain line a runner would obey. */

/** Longest text taken from outside (AWS, a manifest, an input) that one message quotes. */
const MAX_QUOTED = 300;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Makes a string that came from outside (a Sid, a stored Resource, a manifest entry, an input)
 * inert inside one of our log lines: control characters (newlines above all) are escaped, so it
 * can never start a line of its own, and it is cut to a readable length.
 */
export function inert(value: unknown, max = MAX_QUOTED): string {
  const whole = typeof value === 'string' ? value : String(value);
  // Cut long text before escaping it: a 50 MB value costs nothing more than a short one.
  const text = whole.length > 4 * max ? whole.slice(0, 4 * max) : whole;
  const escaped = text.replace(CONTROL_CHARACTERS, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).replaceAll('##[', '## [');
  const more = whole.length - text.length + Math.max(0, escaped.length - max);
  return more > 0 ? `${escaped.slice(0, max)}… (${more} more characters)` : escaped;
}

/** `inert` in double quotes: how an error quotes an input, a path, a manifest entry or a Sid. */
export function quoted(value: unknown, max = 80): string {
  return `"${inert(value, max)}"`;
}

/**
 * Defence in depth for plain lines: the runners (GitHub's and act's) treat a line whose trimmed start
 * is `::` as a command, and GitHub's also `##[` anywhere in it. No plain line of ours may do either.
 */
export function plainLines(message: string): string {
  return message
    .split(/\r\n|\r|\n/)
    .map((line) => (line.trimStart().startsWith('::') ? line.replace('::', ': :') : line).replaceAll('##[', '## ['))
    .join('\n');
}
