import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../../stack/fixture.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('dist/', () => {
  const dist = join(ROOT, 'dist');

  it('bundles no AGPL code: the IAM oracle stays a devDependency', () => {
    for (const file of files(dist)) {
      const text = readFileSync(file, 'utf8');
      assert.ok(!/AGPL|Affero/i.test(text), `${file} mentions the AGPL`);
      assert.ok(!text.includes('@cloud-copilot'), `${file} bundles @cloud-copilot`);
    }
  });

  it('lists the licence of every bundled package', () => {
    const licences = readFileSync(join(dist, 'licenses.txt'), 'utf8');
    for (const name of ['@actions/core', '@aws-sdk/client-ecr', '@aws-sdk/client-iam']) assert.ok(licences.includes(name), name);
  });

  it('is ESM, as @actions/core 3 requires', () => {
    assert.deepEqual(JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8')), { type: 'module' });
  });
});
