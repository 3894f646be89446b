import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { INPUT_DEFAULTS } from '../../src/settings/inputs.js';
import { ROOT } from '../../stack/fixture.js';

type Step = { uses?: string; with?: Record<string, unknown>; run?: string };
type Workflow = { name: string; on: Record<string, unknown>; jobs: Record<string, { name: string; steps: Step[] }> };
const dir = join(ROOT, '.gitea', 'workflows');
const workflows = Object.fromEntries(readdirSync(dir).map((file) => [file, parse(readFileSync(join(dir, file), 'utf8')) as Workflow]));

describe('.gitea/workflows', () => {
  it('has the three uses and CI, each named explicitly', () => {
    assert.deepEqual(Object.keys(workflows).sort(), ['ci.yml', 'drift-dispatch.yml', 'drift-gate.yml', 'iac-gate.yml', 'publish-image.yml']);
    for (const [file, workflow] of Object.entries(workflows)) {
      assert.ok(workflow.name, `${file} has a name`);
      for (const [id, job] of Object.entries(workflow.jobs)) assert.ok(job.name, `${file} job ${id} has a name`);
    }
  });

  it('the drift gate runs on pull_request (required checks need it) and push, read-only verify of the manifest', () => {
    const gate = workflows['drift-gate.yml'];
    assert.ok('pull_request' in gate.on && 'push' in gate.on);
    const step = gate.jobs['verify-manifest'].steps.find((s) => s.uses === './');
    assert.equal(step?.with?.mode, 'verify');
    assert.equal(step?.with?.manifest, 'examples/manifest.json');
    assert.equal(gate.jobs['verify-manifest'].name, 'verify-manifest', 'check context: drift-gate / verify-manifest (pull_request)');
  });

  it('the dispatch offers verify/reconcile, a repository and dry-run', () => {
    const dispatch = workflows['drift-dispatch.yml'].on.workflow_dispatch as { inputs: Record<string, { type: string; options?: string[] }> };
    assert.deepEqual(dispatch.inputs.mode.options, ['verify', 'reconcile']);
    assert.equal(dispatch.inputs['dry-run'].type, 'boolean');
    assert.equal(dispatch.inputs.repository.type, 'string');
  });

  it('the IaC gate judges `terraform show -json` of the pull request’s plan, as a verify with the proposed state', () => {
    const gate = workflows['iac-gate.yml'];
    assert.ok('pull_request' in gate.on);
    const job = gate.jobs['judge-plan'];
    assert.equal(job.name, 'judge-plan', 'check context: iac-gate / judge-plan (pull_request)');
    const plan = job.steps.find((s) => /terraform show -json plan\.tfplan > plan\.json/.test((s as { run?: string }).run ?? ''));
    assert.ok(plan, 'a step writes plan.json');
    const judge = job.steps.find((s) => s.uses?.startsWith('molecule-ai/publish-image'));
    assert.deepEqual([judge?.with?.mode, judge?.with?.proposed], ['verify', 'infra/plan.json']);
    for (const key of Object.keys(judge?.with ?? {})) assert.ok(key in INPUT_DEFAULTS, `iac-gate.yml: ${key}`);
  });

  it('every `with:` key is an input of the action', () => {
    for (const [file, workflow] of Object.entries(workflows)) {
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps.filter((s) => s.uses === './')) {
          for (const key of Object.keys(step.with ?? {})) assert.ok(key in INPUT_DEFAULTS, `${file}: ${key}`);
        }
      }
    }
  });

  it('the example manifest matches the incident: seven templates, strings and objects', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'examples', 'manifest.json'), 'utf8'));
    assert.equal(manifest.workspace_templates.length, 7);
  });
});

/**
 * GitHub's own parser and schemas (@actions/workflow-parser: the package behind the Actions
 * language service) for action.yml, every workflow here and every YAML example in the README and docs/.
 */
const trace = new NoOperationTraceWriter();

async function workflowErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, trace);
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (parsed.value) {
    const converted = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const error of converted.errors ?? []) if (!errors.includes(error.Message)) errors.push(error.Message);
  }
  return errors;
}

function actionErrors(content: string): string[] {
  return parseAction({ name: 'action.yml', content }, trace)
    .context.errors.getErrors()
    .map((error) => error.message);
}

/** The ```yaml blocks of the README and of docs/*.md, with the file and line each starts on. */
function readmeYamlBlocks(): { line: string; text: string }[] {
  const files = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
  const blocks: { line: string; text: string }[] = [];
  for (const file of files) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    for (let index = 0; index < lines.length; index++) {
      if (lines[index].trim() !== '```yaml') continue;
      const start = index + 1;
      while (++index < lines.length && lines[index].trim() !== '```');
      blocks.push({ line: `${file}:${start + 1}`, text: lines.slice(start, index).join('\n') });
    }
  }
  return blocks;
}

/** Steps that use this action, whichever form `uses:` takes (`./`, owner/repo@ref, a Gitea URL). */
const usesThisAction = (uses: string | undefined): boolean => uses === './' || /(^|\/)molecule-ai\/publish-image@/.test(uses ?? '');

describe("workflows and examples, checked by GitHub's parser (@actions/workflow-parser)", () => {
  it('catches what it should (so a pass means something)', async () => {
    assert.match(
      (await workflowErrors('bad.yml', 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        wiht: {}\n')).join('\n'),
      /Unexpected value 'wiht'/,
    );
    assert.match(actionErrors('name: x\ndescription: y\nruns:\n  using: node99\n  main: index.js\n').join('\n'), /Unexpected value 'node99'/);
  });

  it('action.yml is a valid action', () => {
    assert.deepEqual(actionErrors(readFileSync(join(ROOT, 'action.yml'), 'utf8')), []);
  });

  it('every workflow in .gitea/workflows is valid', async () => {
    for (const file of readdirSync(dir)) assert.deepEqual(await workflowErrors(file, readFileSync(join(dir, file), 'utf8')), [], file);
  });

  it('every YAML example in the README and docs/ is a valid workflow, whose `with:` keys are inputs of the action', async () => {
    const blocks = readmeYamlBlocks();
    assert.ok(blocks.length >= 4, 'the README has its examples');
    for (const { line, text } of blocks) {
      // A bare list of steps is checked inside a minimal workflow.
      const content = /^\s*- /m.test(text.split('\n').find((row) => row.trim() && !row.trim().startsWith('#')) ?? '')
        ? `on: push\njobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n${text
            .split('\n')
            .map((row) => `      ${row}`)
            .join('\n')}\n`
        : text;
      assert.deepEqual(await workflowErrors(line, content), [], line);
      const workflow = parse(content) as Workflow;
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps.filter((candidate) => usesThisAction(candidate.uses))) {
          for (const key of Object.keys(step.with ?? {})) assert.ok(key in INPUT_DEFAULTS, `${line}: ${key} is not an input`);
        }
      }
    }
  });

  it('the docs show the Gitea form of uses: with a full URL', () => {
    const gitea = readmeYamlBlocks().filter(({ text }) => /uses: https:\/\/[^\s/]+\/molecule-ai\/publish-image@v\d/.test(text));
    assert.equal(gitea.length, 1);
  });
});
