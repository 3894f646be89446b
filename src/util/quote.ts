import { inert } from '../inert.js';

/**
 * Outside text inside one line of a message: inert (control characters escaped, cut short), and
 * without GitHub's legacy `##[` command form, which its runner obeys anywhere in a line, so not
 * even an annotation of ours carries it.
 */
export function inertText(value: unknown, max: number): string {
  const text = typeof value === 'string' ? value : String(value);
  // Cut long text before escaping it: a 50 MB value costs nothing more than a short one.
  return inert(text.length > 4 * max ? text.slice(0, 4 * max) : text, max).replaceAll('##[', '## [');
}

/** `inertText` in double quotes: how an error quotes an input, a path, a manifest entry or a Sid. */
export function quoted(value: unknown, max = 80): string {
  return `"${inertText(value, max)}"`;
}
