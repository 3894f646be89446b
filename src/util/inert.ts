/**
 * The one place that says which characters outside text may not carry into anything we print: the
 * log, annotations, the step summary, a terminal, the JSON report. Outside text (stored policies,
 * Sids, ARNs, AWS and docker messages, file contents, inputs) is quoted with `inert` where it is
 * interpolated; every sink also passes whole messages through `safeText` (or `safeJson`) as a last
 * line of defence, so a string that escaped `inert` still cannot drive a terminal.
 */

/** Longest text taken from outside (AWS, a manifest, an input) that one message quotes. */
const MAX_QUOTED = 300;

// C0 controls (ESC, CR, LF, BEL, TAB…), DEL, C1 controls (U+009B is a one-byte CSI), the line and
// paragraph separators, and the bidi marks, embeddings, overrides and isolates that reorder what a
// person reads (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same, but our own line breaks (`\n`) stay: for whole messages whose outside parts are already inert.
// eslint-disable-next-line no-control-regex
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

// What JSON.stringify leaves raw of the above (C0 in strings it escapes; outside strings, C0 is its own layout).
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `\u001b`, `\u202e`: visible, so a person sees that something odd is stored, and valid in JSON too. */
const visible = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Makes a string that came from outside (a Sid, a stored Resource, a manifest entry, an input)
 * inert inside one of our log lines: control and bidi characters (newlines above all) are escaped,
 * so it can never start a line of its own or drive a terminal, and it is cut to a readable length,
 * saying how much was left out.
 */
export function inert(value: unknown, max = MAX_QUOTED): string {
  const whole = typeof value === 'string' ? value : String(value);
  // Cut long text before escaping it: a 50 MB value costs nothing more than a short one.
  const text = whole.length > 4 * max ? whole.slice(0, 4 * max) : whole;
  const escaped = text.replace(UNSAFE, visible).replaceAll('##[', '## [');
  const more = whole.length - text.length + Math.max(0, escaped.length - max);
  return more > 0 ? `${escaped.slice(0, max)}… (${more} more characters)` : escaped;
}

/** `inert` in double quotes: how an error quotes an input, a path, a manifest entry or a Sid. */
export function quoted(value: unknown, max = 80): string {
  return `"${inert(value, max)}"`;
}

/**
 * A whole message on its way to a sink (log, annotation, summary, terminal): every control and bidi
 * character escaped but our own `\n`. Not cut: its outside parts were cut where they were quoted.
 */
export function safeText(message: string): string {
  return message.replace(UNSAFE_BUT_NEWLINE, visible);
}

/**
 * JSON for a file or a terminal: JSON.stringify escapes the C0 controls in strings, but leaves DEL,
 * the C1 controls, U+2028/U+2029 and the bidi controls raw (JSON allows them); here they are `\uXXXX`
 * escapes too. They can only occur inside strings, so the result parses back to the very same value.
 */
export function safeJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(RAW_IN_JSON, visible);
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

/** Most lines of a command's output an error quotes, and the longest each. */
const EXCERPT_LINES = 5;
const EXCERPT_LINE_MAX = 200;

/**
 * One line of a command's output, inert and at most `max` characters: its start and its end (where
 * docker says "exit code: 3"), the middle left out with the whole length said (`total`, when what
 * is at hand was already cut from something longer).
 */
export function inertEnds(line: string, max = EXCERPT_LINE_MAX, total = line.length): string {
  const escape = (text: string): string => text.replace(UNSAFE, visible).replaceAll('##[', '## [');
  if (line.length <= max && total <= line.length) {
    const whole = escape(line);
    if (whole.length <= max) return whole;
  }
  const head = escape(line.slice(0, max)).slice(0, Math.ceil(max * 0.6));
  const tail = escape(line.slice(-max)).slice(-Math.floor(max * 0.4));
  return `${head}… (${Math.max(total, line.length)} characters in all) …${tail}`;
}

/**
 * The last `count` non-empty lines of a command's output (docker, buildx), for an error: at most
 * EXCERPT_LINES lines, each `inertEnds` (so none carries a line break of its own, and none is longer
 * than about EXCERPT_LINE_MAX), after a note of how many earlier lines were left out.
 */
export function outputExcerpt(output: string, count = 3): string {
  const lines = output.split(/\r\n|\n|\r/).filter((line) => line.trim());
  const shown = lines.slice(-Math.min(count, EXCERPT_LINES));
  const earlier = lines.length - shown.length;
  const note = earlier > 0 ? [`… (${earlier} earlier line${earlier === 1 ? '' : 's'} not quoted)`] : [];
  return [...note, ...shown.map((line) => inertEnds(line))].join('\n');
}
