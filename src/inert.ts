/** Pure text guards for anything printed: outside strings quoted inert, and no plain line a runner would obey. */

/** Longest text taken from outside (AWS, a manifest, an input) that one message quotes. */
const MAX_QUOTED = 300;

/**
 * Makes a string that came from outside (a Sid, a stored Resource, a manifest entry, an input)
 * inert inside one of our log lines: control characters (newlines above all) are escaped, so it
 * can never start a line of its own, and it is cut to a readable length.
 */
export function inert(value: unknown, max = MAX_QUOTED): string {
  const text = typeof value === 'string' ? value : String(value);
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max)}… (${escaped.length - max} more characters)` : escaped;
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
