// One source for the interface (issue 27): docs/inputs-outputs.md is generated from action.yml
// (scripts/gen-docs.ts, `npm run docs`), and the CLI's --help lists exactly the inputs the CLI reads.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { expectedPage, PAGE } from '../../scripts/gen-docs.js';
import { runCli } from '../../src/cli/cli.js';
import { NAMES, parseFlags, PUBLISH_ONLY } from '../../src/cli/flags.js';
import { ROOT } from '../../stack/fixture.js';

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };

async function help(): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    assert.equal(await runCli(['verify', '--help']), 0);
  } finally {
    process.stdout.write = write;
  }
  return text;
}

describe('docs/inputs-outputs.md is generated from action.yml', () => {
  it('equals what `npm run docs` writes (run it after changing action.yml)', () => {
    assert.equal(readFileSync(PAGE, 'utf8'), expectedPage(), 'docs/inputs-outputs.md is stale: run `npm run docs`');
  });
});

describe("the CLI's --help and the action's inputs agree", () => {
  it('--help lists every input verify, plan and reconcile read, and no other', async () => {
    const listed = [...(await help()).split('Inputs:')[1].matchAll(/--(?:\[no-\])?([a-z-]+)/g)].map((match) => match[1]);
    const expected = Object.keys(action.inputs).filter((name) => name !== 'mode' && !PUBLISH_ONLY.has(name as never));
    assert.deepEqual([...listed].sort(), [...expected].sort());
    assert.deepEqual([...NAMES].sort(), [...expected].sort());
  });

  it('every publish-only input is an input of action.yml, and the CLI refuses it by name', () => {
    for (const name of PUBLISH_ONLY) {
      assert.ok(name in action.inputs, name);
      assert.throws(() => parseFlags([`--${name}`, 'x']), new RegExp(`--${name}: only the action's publish mode reads it`));
    }
    assert.throws(() => parseFlags(['--provenance=mode=max']), /--provenance: only the action's publish mode/);
    assert.throws(() => parseFlags(['--no-push']), /--push: only the action's publish mode/);
  });

  it('the forms --help shows parse: a switch, --pullers @file and --pullers=<the list>', () => {
    assert.deepEqual(parseFlags(['--prune', '--pullers', '@pullers.yml']).inputs, { prune: 'true', pullers: '@pullers.yml' });
    assert.equal(parseFlags(['--pullers=- role-arn: arn:aws:iam::004947743811:role/A\n']).inputs.pullers, '- role-arn: arn:aws:iam::004947743811:role/A\n');
  });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

describe('links between the pages', () => {
  it('docs/layout.md says what every dependency in package.json is for (runtime, development and optional)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const layout = readFileSync(join(ROOT, 'docs', 'layout.md'), 'utf8');
    const section = layout.slice(layout.indexOf('## Dependencies'), layout.indexOf('## Runtime'));
    const names = ['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(pkg[field] ?? {}));
    assert.deepEqual(
      names.filter((name) => !section.includes(`\`${name}\``)),
      [],
      'add each to the Dependencies section of docs/layout.md, saying what it is for',
    );
  });

  it('every relative link in README.md and docs/ names a file that exists, and a heading that exists', () => {
    const pages = [
      'README.md',
      ...readdirSync(join(ROOT, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`),
    ];
    for (const page of pages) {
      const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const file = path ? join(dirname(join(ROOT, page)), path) : join(ROOT, page);
        assert.ok(existsSync(file), `${page}: ${target} does not exist`);
        if (anchor && file.endsWith('.md')) {
          const headings = [...readFileSync(file, 'utf8').matchAll(/^#+ (.*)$/gm)].map((match) => slug(match[1]));
          assert.ok(headings.includes(anchor), `${page}: #${anchor} is not a heading of ${path || page}`);
        }
      }
    }
  });
});
