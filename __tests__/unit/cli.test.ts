// The CLI's entry in-process (src/cli/cli.ts runCli): usage, exit codes, and a bad input refused
// before any AWS call, with stdout and stderr captured. integration/ and hostile/cli.test.ts run the
// same through dist/index.js against moto.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runCli } from '../../src/cli/cli.js';
import { plainLogger, setLogger } from '../../src/log.js';

let out: string;
let err: string;
const write = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };

describe('the CLI in-process: usage, exit codes, a bad input before any AWS call', () => {
  // Inside the suite, not at the file's top: unit files may share one process (scripts/test.ts), where a top-level hook runs around every file's tests.
  beforeEach(() => {
    out = '';
    err = '';
    process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => ((err += String(chunk)), true)) as typeof process.stderr.write;
  });

  afterEach(() => {
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
    setLogger(plainLogger());
  });

  it('--help: the usage on stdout, exit 0; no command at all: the usage, exit 1', async () => {
    assert.equal(await runCli(['--help']), 0);
    assert.match(out, /^Usage: publish-image <verify\|reconcile\|plan>/);
    assert.match(out, /Exit status: 0 in sync, 2 drift/);
    out = '';
    assert.equal(await runCli([]), 1);
    assert.match(out, /^Usage: publish-image/);
  });

  it('verify without the pulling role: exit 1, one error naming the input and the fix, nothing on stdout', async () => {
    const code = await runCli(['verify', '--repository', 'team/app', '--aws-region', 'us-east-2']);
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.match(err, /staging-role-arn: required in verify mode\. Name the role that pulls/);
    assert.ok(!/^::/m.test(err), 'a terminal gets no workflow command');
  });
});
