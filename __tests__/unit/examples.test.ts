// Every example runs (issue 27): each fenced block of README.md and docs/*.md is checked as what it
// claims to be. Workflows: GitHub's parser (@actions/workflow-parser) accepts them, every `with:` key
// of this action's step is an input and every `steps.<id>.outputs.<name>` of it an output of
// action.yml, and the settings parser accepts the step with placeholder values for `${{ … }}`. A
// `pullers` list parses as the input does. JSON parses (a policy has a Version and Statements with
// an Effect). Shell lines: `publish-image` commands parse with the CLI's own flag parser
// (src/cli/flags.ts), `npm run` names a script of package.json, a script path exists. Output and
// diagrams are fenced as `text` and left alone.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseFlags } from '../../src/cli/flags.js';
import { INPUT_DEFAULTS, readInputs, type InputName } from '../../src/settings/inputs.js';
import { readSettings } from '../../src/settings/settings.js';
import { ROOT } from '../../stack/fixture.js';

interface Block {
  where: string;
  lang: string;
  text: string;
}

function blocks(): Block[] {
  const files = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
  const found: Block[] = [];
  for (const file of files) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    for (let index = 0; index < lines.length; index++) {
      const open = /^\s*```(\S*)\s*$/.exec(lines[index]);
      if (!open) continue;
      const start = index;
      while (++index < lines.length && !/^\s*```\s*$/.test(lines[index]));
      found.push({ where: `${file}:${start + 1}`, lang: open[1], text: lines.slice(start + 1, index).join('\n') });
    }
  }
  return found;
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const trace = new NoOperationTraceWriter();

async function workflowErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, trace);
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (parsed.value) for (const error of (await convertWorkflowTemplate(parsed.context, parsed.value)).errors ?? []) errors.push(error.Message);
  return errors;
}

type Step = { id?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, unknown>; run?: string };
const usesThisAction = (uses: string | undefined): boolean => uses === './' || /(^|\/)molecule-ai\/publish-image@/.test(uses ?? '');

/** What a runner could put where an example has `${{ … }}`: a value the input accepts. */
function placeholder(name: InputName): string {
  if (name === 'mode') return 'verify';
  if (INPUT_DEFAULTS[name] === 'true' || INPUT_DEFAULTS[name] === 'false') return 'true';
  if (name === 'repository') return '';
  if (name === 'labels') return 'org.example.placeholder=1';
  return 'placeholder';
}

/** The action's step as the settings parser would read it: expressions replaced, defaults from action.yml. */
function stepSettings(step: Step): void {
  const given = Object.fromEntries(
    Object.entries(step.with ?? {}).map(([name, value]) => [name, String(value).replace(/\$\{\{[^}]*\}\}/g, () => placeholder(name as InputName))]),
  );
  // A value that is only an expression is the placeholder itself (e.g. `repository: ${{ inputs.repository }}`).
  for (const [name, value] of Object.entries(step.with ?? {})) if (/^\$\{\{[^}]*\}\}$/.test(String(value).trim())) given[name] = placeholder(name as InputName);
  readSettings((name) => given[name] ?? INPUT_DEFAULTS[name], { tempDir: '/tmp' } as never, { AWS_REGION: 'us-east-2' });
}

function checkWorkflow(where: string, text: string): Promise<void> | void {
  const first = text.split('\n').find((row) => row.trim() && !row.trim().startsWith('#')) ?? '';
  const content = /^\s*- /.test(first)
    ? `on: push\njobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n${text
        .split('\n')
        .map((row) => `      ${row}`)
        .join('\n')}\n`
    : text;
  return (async () => {
    assert.deepEqual(await workflowErrors(where, content), [], where);
    const workflow = parse(content) as { jobs: Record<string, { steps: Step[] }> };
    for (const job of Object.values(workflow.jobs)) {
      const ours = job.steps.filter((step) => usesThisAction(step.uses));
      for (const step of ours) {
        for (const key of Object.keys(step.with ?? {})) assert.ok(key in action.inputs, `${where}: \`${key}\` is not an input of action.yml`);
        assert.doesNotThrow(() => stepSettings(step), `${where}: the settings parser refuses the step`);
      }
      const ids = new Set(ours.map((step) => step.id).filter(Boolean));
      for (const match of content.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        if (ids.has(match[1])) assert.ok(match[2] in action.outputs, `${where}: \`${match[2]}\` is not an output of action.yml`);
      }
    }
  })();
}

/** Shell words of one command line: quotes kept together, `$(…)` inside double quotes left as text. */
function words(line: string): string[] {
  const out: string[] = [];
  let word: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (char === "'" || char === '"') {
      const end = line.indexOf(char, index + 1);
      assert.ok(end > index, `unbalanced quote in: ${line}`);
      word = (word ?? '') + line.slice(index + 1, end);
      index = end;
    } else if (/\s/.test(char)) {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else word = (word ?? '') + char;
  }
  if (word !== undefined) out.push(word);
  return out;
}

/** Each command of a shell block: continuations joined, comments, redirections and pipes cut. */
function commands(text: string): string[][] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .flatMap((line) => line.split(/\s&&\s|\s;\s/))
    .map((line) => line.replace(/(^|\s)#.*$/, '').split(/\s[|>]\s?/)[0])
    .map(words)
    .filter((command) => command.length > 0);
}

function checkShell(where: string, text: string): void {
  for (const command of commands(text)) {
    const start = command[0] === 'npx' ? 1 : command[0] === 'node' && command[1] === 'dist/index.js' ? 1 : 0;
    if (command[start] === 'publish-image' || (command[0] === 'node' && command[1] === 'dist/index.js')) {
      const [verb, ...args] = command.slice(start + 1);
      assert.ok(['verify', 'plan', 'reconcile'].includes(verb), `${where}: \`${verb}\` is not a command of the CLI`);
      assert.ok(!args.some((arg) => /^(…|\.\.\.)$/.test(arg)), `${where}: write the command out in full (no …)`);
      const flags = parseFlags(args);
      if (flags.format !== 'text') assert.equal(verb, 'plan', `${where}: --format is for plan only`);
    } else if (command[0] === 'npm' && command[1] === 'run') {
      const name = command[2] === '-s' ? command[3] : command[2];
      assert.ok(name in scripts, `${where}: npm run ${name} is not a script of package.json`);
    } else if (command[0] === 'node') {
      const path = command.slice(1).find((arg) => /\.(ts|mjs|js)$/.test(arg));
      if (path) assert.ok(existsSync(join(ROOT, path)), `${where}: ${path} does not exist`);
    }
  }
}

function checkJson(where: string, text: string): void {
  const value = JSON.parse(text) as unknown;
  const policies = Array.isArray(value) ? [] : [value as { Version?: string; Statement?: { Effect?: string }[] }];
  for (const policy of policies.filter((candidate) => candidate && 'Statement' in candidate)) {
    assert.equal(policy.Version, '2012-10-17', `${where}: a policy's Version`);
    assert.ok(Array.isArray(policy.Statement) && policy.Statement.length > 0, `${where}: Statement is a list`);
    for (const statement of policy.Statement ?? []) assert.ok(['Allow', 'Deny'].includes(statement.Effect ?? ''), `${where}: Effect`);
  }
}

describe('every fenced example in README.md and docs/ is checked', () => {
  const all = blocks();

  it('every block says what it is (yaml, json, sh, or text for output)', () => {
    for (const block of all) assert.ok(['yaml', 'json', 'sh', 'text'].includes(block.lang), `${block.where}: fence it as yaml, json, sh or text`);
    assert.ok(all.filter((block) => block.lang === 'yaml').length >= 5);
  });

  it('YAML: workflows parse, use real inputs and outputs, and pass the settings parser; lists of pullers parse', async () => {
    for (const { where, text } of all.filter((block) => block.lang === 'yaml')) {
      const value = parse(text) as unknown;
      if (Array.isArray(value) && value.every((entry) => entry && typeof entry === 'object' && 'role-arn' in entry)) {
        assert.doesNotThrow(() => readInputs((name) => (name === 'pullers' ? text : name === 'mode' ? 'verify' : ''), { AWS_REGION: 'us-east-2' }), where);
      } else await checkWorkflow(where, text);
    }
  });

  it('JSON parses; policies have a Version and Statements with an Effect', () => {
    for (const { where, text } of all.filter((block) => block.lang === 'json')) assert.doesNotThrow(() => checkJson(where, text), where);
  });

  it("shell: CLI lines parse with the CLI's own flag parser, npm scripts and script paths exist", () => {
    for (const { where, text } of all.filter((block) => block.lang === 'sh')) checkShell(where, text);
  });

  it('the checks catch what they should (so a pass means something)', async () => {
    assert.throws(() => checkShell('x', 'publish-image verify --no-such-flag 1'), /Unknown option/);
    assert.throws(() => checkShell('x', 'publish-image verify --tags v1'), /only the action's publish mode/);
    assert.throws(() => checkShell('x', 'npm run no-such-script'), /not a script/);
    await assert.rejects(async () => checkWorkflow('x', '- uses: molecule-ai/publish-image@v0.1.0\n  with:\n    repositry: a/b\n'), /not an input/);
    await assert.rejects(
      async () =>
        checkWorkflow('x', '- uses: molecule-ai/publish-image@v0.1.0\n  with:\n    mode: verify\n    repository: a/b\n    pull-principals: "4947743811"\n'),
      /settings parser refuses/,
    );
  });
});
