// util/young-generation.ts: the cap is set only on the V8 versions it was measured on (another V8 may
// not know the flag); what it does to peak memory is measured by `npm run bench -- --only pullers`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const script = (v8: string) => `
  const v8 = require('node:v8');
  const set = [];
  v8.setFlagsFromString = (flag) => set.push(flag);
  import('${new URL('../../src/util/young-generation.ts', import.meta.url).href}').then(({ capYoungGeneration }) => {
    capYoungGeneration(${JSON.stringify(v8)});
    // Garbage enough for the young generation to reach its cap.
    let keep = [];
    for (let i = 0; i < 400000; i++) { keep.push({ i, s: 'x'.repeat(64) }); if (keep.length > 50000) keep = []; }
    setTimeout(() => console.log(JSON.stringify(set)), 50);
  });`;

function flagsSet(v8: string): string[] {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script(v8)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]') as string[];
}

describe('capYoungGeneration', () => {
  it('on a measured V8, sets the growth factor to 1 once the young generation reaches 2 × 16 MB, and only once', () => {
    assert.deepEqual(flagsSet('13.6.233.10-node.28'), ['--semi-space-growth-factor=1']);
  });

  it('on a V8 it was not measured on, sets no flag', () => {
    assert.deepEqual(flagsSet('99.1.0'), []);
  });
});
