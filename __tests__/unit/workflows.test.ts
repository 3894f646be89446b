import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { INPUT_DEFAULTS } from '../../src/inputs.js';
import { ROOT } from '../stack/action.js';

type Step = { uses?: string; with?: Record<string, unknown>; run?: string };
type Workflow = { name: string; on: Record<string, unknown>; jobs: Record<string, { name: string; steps: Step[] }> };
const dir = join(ROOT, '.gitea', 'workflows');
const workflows = Object.fromEntries(readdirSync(dir).map((file) => [file, parse(readFileSync(join(dir, file), 'utf8')) as Workflow]));

describe('.gitea/workflows', () => {
  it('has the three uses and CI, each named explicitly', () => {
    assert.deepEqual(Object.keys(workflows).sort(), ['ci.yml', 'drift-dispatch.yml', 'drift-gate.yml', 'publish-image.yml']);
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
