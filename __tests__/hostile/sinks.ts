// What may reach a sink (a log, an annotation, the step summary, a terminal, GITHUB_OUTPUT, the JSON
// report), asserted on the bytes themselves (issue 16). Pure: used by the hostile suite on what
// `dist/index.js` printed and wrote, and by the unit tests on the escaping functions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// No C0 control but `\n` (and none at all when `newlines` is false), no DEL or C1 control, no bidi
// mark, embedding, override or isolate, no line or paragraph separator.
// eslint-disable-next-line no-control-regex
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const codePoint = (char: string): string => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** `text` (decoded as UTF-8) holds no character a terminal or a reader would obey; `\n` only where a line ends. */
export function assertClean(text: string, what: string, newlines = true): void {
  const found = (newlines ? UNSAFE_BUT_NEWLINE : UNSAFE).exec(text);
  if (found) {
    const at = found.index;
    assert.fail(`${what}: raw ${codePoint(found[0])} at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 80), at + 80))}`);
  }
}

/** The bytes of a sink: valid UTF-8 (no lone byte 0x80–0x9F either), then `assertClean`. */
export function assertCleanBytes(bytes: Buffer, what: string): void {
  const text = bytes.toString('utf8');
  assert.ok(!text.includes('\ufffd') || bytes.includes(Buffer.from('\ufffd')), `${what}: not valid UTF-8`);
  assertClean(text, what);
}

/** Every sink of one action run: stdout, stderr, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_STATE and the JSON report. */
export function assertActionSinksClean(run: {
  stdout: string;
  stderr: string;
  post: { log: string };
  runnerTemp: string;
  outputs: Record<string, string>;
}): void {
  assertClean(run.stdout, 'stdout');
  assertClean(run.stderr, 'stderr');
  assertClean(run.post.log, 'the post step');
  for (const file of ['output', 'summary', 'state']) assertCleanBytes(readFileSync(`${run.runnerTemp}/${file}`), `GITHUB_${file.toUpperCase()}`);
  if (run.outputs.report) assertCleanBytes(readFileSync(run.outputs.report), 'the JSON report');
}

/** A CLI run's two streams. */
export function assertTerminalClean(result: { stdout: string; stderr: string }): void {
  assertClean(result.stdout, 'stdout');
  assertClean(result.stderr, 'stderr');
}

/**
 * No line of `text` is, or starts with, a line outside text tried to plant (after the indent our
 * own lines have): e.g. a fake `+ grant molecule-ai/evil` plan line, or a fake `In sync.`.
 */
export function assertNoPlantedLine(text: string, planted: string[], what: string): void {
  for (const line of text.split(/\r\n|\r|\n/)) {
    for (const fake of planted) {
      assert.ok(!line.trimStart().startsWith(fake.trimStart()), `${what}: a planted line: ${JSON.stringify(line.slice(0, 200))}`);
    }
  }
}

/** The longest line of `text`: what one failure prints at most. */
export function longestLine(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => line.length));
}
