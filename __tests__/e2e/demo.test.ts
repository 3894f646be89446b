// `npm run demo` tells incident #3054's story end to end (issue 27): this runs it as a newcomer
// would, on the engine stack `npm test` started (the demo uses it rather than start another), and
// expects exit 0, which the demo gives only when every step behaved as expected, and each step's
// heading in order.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { engineFromEnv, engineToEnv } from '../../stack/env.js';
import { ROOT } from '../../stack/fixture.js';

function runDemo(): Promise<{ code: number; output: string }> {
  const env = { ...process.env, ...engineToEnv(engineFromEnv()) };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'demo.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

describe('npm run demo (dockerd + registry + moto)', () => {
  it('replays the incident: publish, the gate failing with the exact missing and extra repositories, plan, reconcile, green, a matrix, a proposed change', async () => {
    const { code, output } = await runDemo();
    assert.equal(code, 0, output);
    const headings = [...output.matchAll(/^== (\d+b?)\./gm)].map((match) => match[1]);
    assert.deepEqual(headings, ['1', '2', '3', '3b', '4', '5', '6']);
    assert.doesNotMatch(output, /NOT AS EXPECTED/);
    assert.match(
      output,
      /missing = \["molecule-ai\/workspace-template-deep-research","molecule-ai\/workspace-template-google-adk","molecule-ai\/workspace-template-seo-agent"\]/,
    );
    assert.match(output, /extra = \["molecule-ai\/workspace-template-autogen","molecule-ai\/workspace-template-langgraph"\]/);
    assert.match(output, /The JSON report of the green gate \(the `report` output\): \/\S+\.json/);
    assert.match(output, /Every step behaved as expected/);
  });
});
