// The unit files share a process (scripts/test.ts runs one per core, each importing its share), so
// none may install a hook at its top level: node:test would run it around every file's tests.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const dir = import.meta.dirname;

describe('unit files can share a process', () => {
  it('no unit file installs a before/after hook at its top level', () => {
    const offenders = readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) =>
        readFileSync(join(dir, name), 'utf8')
          .split('\n')
          .map((line, index) => ({ line, at: `${name}:${index + 1}` }))
          .filter(({ line }) => /^(before|after|beforeEach|afterEach)\(/.test(line))
          .map(({ at }) => at),
      );
    assert.deepEqual(offenders, [], 'move each hook into the describe it serves');
  });
});
