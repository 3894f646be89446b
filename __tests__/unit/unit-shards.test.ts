// The unit files share a process (scripts/test.ts runs one per core, each importing its share), and
// node:test runs a file's tests while later files are still being imported. So no unit file may, at
// its top level, install a hook (it would run around every file's tests), stub an SDK client class
// (mockClient stubs the class for the whole process), write process.env or set the logger.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const dir = import.meta.dirname;

describe('unit files can share a process', () => {
  it('no unit file installs a hook, stubs a client class, writes process.env or sets the logger at its top level', () => {
    const offenders = readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) =>
        readFileSync(join(dir, name), 'utf8')
          .split('\n')
          .map((line, index) => ({ line, at: `${name}:${index + 1}` }))
          .filter(({ line }) =>
            /^(before|after|beforeEach|afterEach|setLogger|process\.env\b.*=)\(?|^(const|let|var)\s+\w+\s*=\s*mockClient\(|^mockClient\(/.test(line),
          )
          .map(({ at }) => at),
      );
    assert.deepEqual(offenders, [], 'move each into a hook of the describe it serves (a before() for a client stub or an environment)');
  });
});
