// `npm run docs`: writes docs/inputs-outputs.md from action.yml, the one source of the interface.
// __tests__/unit/docs.test.ts fails when the page differs from what this prints, so the page is
// never edited by hand: change action.yml's descriptions and run `npm run docs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { PUBLISH_ONLY } from '../src/cli/flags.js';
import type { InputName } from '../src/settings/inputs.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
export const PAGE = join(ROOT, 'docs', 'inputs-outputs.md');

type Action = { inputs: Record<string, { description: string; default?: string }>; outputs: Record<string, { description: string }> };

/** A table cell: one line, `|` escaped. */
const cell = (text: string): string =>
  text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();

/** The page, from action.yml's text. */
export function inputsOutputsPage(actionYml: string): string {
  const action = parse(actionYml) as Action;
  const inputs = Object.entries(action.inputs).map(([name, input]) => {
    const fallback = input.default ? `\`${cell(input.default)}\`` : '';
    const flag = name === 'mode' ? 'the command' : PUBLISH_ONLY.has(name as InputName) ? '' : `\`--${name}\``;
    return `| \`${name}\` | ${fallback} | ${flag} | ${cell(input.description)} |`;
  });
  const outputs = Object.entries(action.outputs).map(([name, output]) => `| \`${name}\` | ${cell(output.description)} |`);
  return [
    '# Inputs and outputs',
    '',
    '<!-- Generated from action.yml by `npm run docs` (scripts/gen-docs.ts); do not edit by hand. -->',
    '',
    'Back to the [README](../README.md). Every input and output of the action, as `action.yml` declares',
    'them. The CLI column is the flag `publish-image verify|plan|reconcile` takes for it (the CLI builds',
    'nothing, so the build inputs have none). What each error means and how to fix it:',
    '[troubleshooting.md](troubleshooting.md).',
    '',
    '## Inputs',
    '',
    '| input | default | CLI | what it does |',
    '| --- | --- | --- | --- |',
    ...inputs,
    '',
    '## Outputs',
    '',
    '| output | what it holds |',
    '| --- | --- |',
    ...outputs,
    '',
  ].join('\n');
}

export function expectedPage(): string {
  return inputsOutputsPage(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(PAGE, expectedPage());
  console.log(`wrote ${PAGE}`);
}
