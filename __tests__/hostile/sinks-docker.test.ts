// Issue 16, the docker side, through dist/index.js with the real dockerd, registry and moto: what a
// Dockerfile prints, what a registry answers and what the runner user's ~/.docker holds is outside
// text. A failed build or login quotes a bounded excerpt, escaped; the log shows the output bounded;
// a malformed docker config is reported by position, never by the (credential) text around it;
// a secret-files path is quoted as docker's CSV reader expects.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { createRepository, ecrIn } from '../../stack/aws.js';
import { EXTRA_REGISTRY_HOSTS } from '../../stack/engine.js';
import { engineFromEnv } from '../../stack/env.js';
import { helloContext } from '../../stack/fixtures.js';
import { PROD_ACCOUNT, dockerEnv, errorLines, runAction, useMoto, type ActionRun } from '../../stack/fixture.js';
import { startRegistryFaultProxy, type RegistryFaultProxy } from '../../stack/registry-fault-proxy.js';
import { assertActionSinksClean, assertNoPlantedLine, longestLine } from './sinks.js';
import { assertOneError } from './stack.js';

const engine = engineFromEnv();
const FRONT_HOST = EXTRA_REGISTRY_HOSTS[1];
let longestFailureLine = 0;
const stack = useMoto();

const actionEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv =>
  dockerEnv(stack.env, { GITHUB_SHA: 'e'.repeat(40), GITHUB_REF: 'refs/heads/feature', ...extra });

const publish = (inputs: Record<string, string>, extra: NodeJS.ProcessEnv = {}): Promise<ActionRun> =>
  runAction({ tags: 'h1', ...inputs }, actionEnv(extra), { timeoutMs: 240_000 });

describe('docker output, the docker config and build secrets (dockerd + registry + moto)', () => {
  after(async () => {
    process.stdout.write(`# longest line a failure printed in sinks-docker: ${longestFailureLine} characters\n`);
  });

  it('a build that prints 256 kB of escape sequences, C1 and bidi controls and fails: one bounded error, the log bounded, every sink clean', async () => {
    const repository = 'molecule-ai/hostile-build';
    await createRepository(stack.endpoint, repository);
    // 4,000 lines of ~64 bytes, each with CSI 2J, OSC 52, a one-byte CSI (C2 9B) and U+202E (E2 80 AE), then planted lines, then exit 3.
    const script = `i=0; while [ $i -lt 4000 ]; do printf '%s \\033[2J\\033]52;c;cHduZWQ=\\007 \\302\\233 \\342\\200\\256 %s\\n' $i zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz; i=$((i+1)); done; printf 'In sync.\\n  + grant      molecule-ai/evil: pull statement on its repository policy\\n\\033]0;owned\\007'; exit 3`;
    const context = helloContext(`FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", ${JSON.stringify(script)}]\n`);
    const run = await publish({ repository, context });
    // One ::error:: line (its own line breaks encoded), quoting the last lines of docker's output,
    // each cut in the middle so its end (the exit code) stays.
    assert.equal(run.exitCode, 1, run.log.slice(-3000));
    const errors = errorLines(run.log);
    assert.equal(errors.length, 1, run.log.slice(-3000));
    assert.match(
      errors[0],
      /^docker build failed \(exit 1\):\n… \(\d+ earlier lines not quoted\)\n[\s\S]*exit code: 3\nFix the Dockerfile or build inputs; nothing was pushed\.$/,
    );
    assert.ok(errors[0].split('\n').length <= 8, errors[0]);
    assert.ok(errors[0].length < 1500, `${errors[0].length}`);
    assertActionSinksClean(run);
    assert.ok(run.log.length < 2 * 64 * 1024 + 40_000, `the log holds ${run.log.length} characters of a 256 kB build output`);
    assert.match(run.log, /\\u001b\[2J/, 'the escape sequences are shown, escaped');
    longestFailureLine = Math.max(longestFailureLine, longestLine(run.log));
  });

  it('a registry whose login answer is 219 kB of escape sequences: the failed login quotes one bounded line, escaped', async () => {
    const region = 'us-west-2';
    const hostile = `\u001b[2J\u001b]52;c;cHduZWQ=\u0007\u009b2J\u202e${'L'.repeat(219_000)}\nIn sync.`;
    // The registry asks for a bearer token; its token service refuses with the hostile text as the
    // error message, which dockerd hands to the CLI. dockerd treats a loopback registry as insecure
    // and tries plain HTTP last, so that answers the same (its error is the one reported).
    const answer = (path: string, scheme: string): { status: number; headers: Record<string, string>; body: string } =>
      path.startsWith('/token')
        ? { status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: hostile }] }) }
        : {
            status: 401,
            headers: { 'content-type': 'application/json', 'www-authenticate': `Bearer realm="${scheme}://${FRONT_HOST}/token",service="hostile"` },
            body: JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
          };
    const front: RegistryFaultProxy = await startRegistryFaultProxy(engine.caFile, FRONT_HOST);
    const plain = createServer((request, response) => {
      const { status, headers, body } = answer(request.url ?? '/', 'http');
      response.writeHead(status, headers);
      response.end(body);
    });
    await new Promise<void>((resolve, reject) => {
      plain.once('error', reject);
      plain.listen(80, '127.0.0.3', resolve);
    });
    try {
      front.setRules([
        { method: 'GET', path: /^\/v2\/?$/, fault: 'answer', answer: answer('/v2/', 'https') },
        { method: 'GET', path: /^\/token/, fault: 'answer', answer: answer('/token', 'https') },
      ]);
      const repository = 'molecule-ai/hostile-login';
      await ecrIn(stack.endpoint, PROD_ACCOUNT, region).send(new CreateRepositoryCommand({ repositoryName: repository }));
      const run = await publish({ repository, context: helloContext() }, { AWS_REGION: region });
      const line = assertOneError(
        run,
        new RegExp(`^docker login https://${FRONT_HOST.replace(/\./g, '\\.')} failed: .*\\. Check that the runner can reach the registry`),
      );
      assert.ok(line.length < 1000, `${line.length} characters`);
      // dockerd hands the token service's message over whole (219 kB, its newline raw): quoted on one
      // line, escaped, its start and its end, with its whole length said.
      assert.match(
        line,
        /failed: Error response from daemon: .*unauthorized: \\u001b\[2J\\u001b\]52;c;cHduZWQ=\\u0007\\u009b2J\\u202eL+… \(\d+ characters in all\) …L+\\u000aIn sync\.\. Check/,
      );
      assert.ok(Number(/\((\d+) characters in all\)/.exec(line)![1]) > 219_000, line);
      assertActionSinksClean(run);
      assertNoPlantedLine(run.log, ['In sync.'], 'the log');
      longestFailureLine = Math.max(longestFailureLine, longestLine(run.log));
    } finally {
      plain.closeAllConnections();
      await new Promise<void>((resolve) => plain.close(() => resolve()));
      await front.stop();
    }
  });

  it('a malformed ~/.docker/config.json holding a login: the warning names the line and column, never the text (a credential) around it', async () => {
    const repository = 'molecule-ai/hostile-config';
    await createRepository(stack.endpoint, repository);
    const home = mkdtempSync(join(tmpdir(), 'hostile-home-'));
    mkdirSync(join(home, '.docker'));
    const auth = Buffer.from(`someone:pa55-${Math.random().toString(36).slice(2)}-word`).toString('base64');
    writeFileSync(join(home, '.docker', 'config.json'), `{\n  "auths": {\n    "other.registry.test": { "auth": "${auth}" oops }\n  }\n}\n`);
    const run = await publish({ repository, context: helloContext() }, { HOME: home });
    assert.equal(run.exitCode, 0, run.log);
    assert.match(
      run.log,
      /::warning::docker config .*\/\.docker\/config\.json could not be read \(not valid JSON: expected ',' or '\}' at line 3, column \d+\); the build runs without/,
    );
    const everything = [
      run.log,
      run.post.log,
      run.summary,
      readFileSync(join(run.runnerTemp, 'output'), 'utf8'),
      readFileSync(run.outputs.report, 'utf8'),
    ].join('\n');
    for (let start = 0; start + 8 <= auth.length; start += 4)
      assert.ok(!everything.includes(auth.slice(start, start + 8)), `a piece of the auth value is shown: ${auth.slice(start, start + 8)}`);
    assertActionSinksClean(run);
  });

  it("a secret-files path holding ',src=' is quoted as docker's CSV reader expects: docker reads the named file, not the other", async () => {
    const repository = 'molecule-ai/hostile-secret-path';
    await createRepository(stack.endpoint, repository);
    const dir = mkdtempSync(join(tmpdir(), 'hostile-secret-'));
    const other = join(dir, 'other.txt');
    writeFileSync(other, 'the-other-file\n');
    // A folder named "x,src=" holding the other file's path below it: the path exists, and unquoted
    // it reads `id=s,src=<dir>/x,src=<dir>/other.txt`, whose last src= is the other file.
    const named = `${dir}/x,src=${other}`;
    mkdirSync(dirname(named), { recursive: true });
    writeFileSync(named, 'the-right-file\n');
    const dockerfile = `FROM scratch\nCOPY busybox /bin/busybox\nRUN --mount=type=secret,id=s ["/bin/busybox", "grep", "-q", "the-right-file", "/run/secrets/s"]\n`;
    const run = await publish({ repository, context: helloContext(dockerfile), 'secret-files': `s=${named}` });
    assert.equal(run.exitCode, 0, run.log);
    assert.ok(
      run.log.split('\n').some((line) => line.startsWith('[command]') && line.includes(` --secret id=s,"src=${named}" `)),
      'the --secret field is quoted',
    );
    assertActionSinksClean(run);
  });

  it('a secret-files path holding a line break is refused before anything runs, naming the entry', async () => {
    const run = await publish({ repository: 'molecule-ai/hostile-secret-newline', context: helloContext(), 'secret-files': '"s=/tmp/a\nb"' });
    const line = assertOneError(
      run,
      /^secret-files: entry 1 \(secret s\) has a path holding a line break or another control character \("\/tmp\/a\\u000ab"\), which docker's --secret cannot carry\. Rename the file\.$/,
    );
    longestFailureLine = Math.max(longestFailureLine, line.length);
    assertActionSinksClean(run);
  });
});
