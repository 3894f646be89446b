// The sink escaping and the CSV quoting, table-driven (issue 16): what outside text may carry into
// a log line, an annotation, the step summary, a terminal and the JSON report, and how a path is
// written into docker's `--secret` CSV.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { describeAwsError } from '../../src/adapters/aws/errors.js';
import { buildAndPush, type PushRetry } from '../../src/adapters/docker/build.js';
import { createPrivateDockerConfig } from '../../src/adapters/docker/config.js';
import { SHOWN } from '../../src/adapters/docker/output.js';
import { secretSpecs } from '../../src/adapters/docker/secrets.js';
import { csvField, parseSecretFiles } from '../../src/domain/build/secrets.js';
import type { BuildInputs } from '../../src/settings/inputs.js';
import { PLAIN_BUILD } from '../../stack/fixture.js';
import { planReconcile, type PlanInput } from '../../src/domain/plan.js';
import { formatPlan } from '../../src/report/plan-text.js';
import { plainLogger, setLogger } from '../../src/log.js';
import { escapeHtml } from '../../src/util/html.js';
import { inert, inertEnds, outputExcerpt, plainLines, safeJson, safeText } from '../../src/util/inert.js';
import { assertClean } from '../hostile/sinks.js';

const ESC = '\u001b';
const BEL = '\u0007';
/** Everything a sink may not receive from outside text (the newline aside, which only `safeText` keeps). */
const HOSTILE: [string, string, string][] = [
  ['OSC 52 (writes the clipboard)', `${ESC}]52;c;ZXZpbA==${BEL}`, '\\u001b]52;c;ZXZpbA==\\u0007'],
  ['CSI 2J (clears the screen)', `${ESC}[2J`, '\\u001b[2J'],
  ['OSC 0 (sets the title)', `${ESC}]0;pwned${BEL}`, '\\u001b]0;pwned\\u0007'],
  ['a one-byte CSI (C1)', '\u009b2J', '\\u009b2J'],
  ['NEL (C1)', 'a\u0085b', 'a\\u0085b'],
  ['DEL', 'a\u007fb', 'a\\u007fb'],
  ['a right-to-left override', 'txt.\u202eexe', 'txt.\\u202eexe'],
  ['bidi embeddings', '\u202a\u202b\u202c\u202d', '\\u202a\\u202b\\u202c\\u202d'],
  ['bidi isolates', '\u2066\u2067\u2068\u2069', '\\u2066\\u2067\\u2068\\u2069'],
  ['bidi marks', '\u200e\u200f\u061c', '\\u200e\\u200f\\u061c'],
  ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
  ['a carriage return', 'x\rIn sync.', 'x\\u000dIn sync.'],
  ['a tab and a NUL', 'a\tb\u0000', 'a\\u0009b\\u0000'],
];

describe('inert: outside text inside one of our lines', () => {
  for (const [what, raw, shown] of [...HOSTILE, ['a newline', 'a\n+ grant molecule-ai/evil', 'a\\u000a+ grant molecule-ai/evil']] as const) {
    it(`escapes ${what} visibly`, () => {
      assert.equal(inert(raw), shown);
      assertClean(inert(raw), 'text', false);
    });
  }
  it('is cut to its maximum, saying how much more there was, however long the text', () => {
    const long = `${ESC}[2J${'x'.repeat(1_000_000)}`;
    const quoted = inert(long, 300);
    assert.ok(quoted.length < 340, `${quoted.length}`);
    assert.match(quoted, /^\\u001b\[2Jx+… \(\d+ more characters\)$/);
  });
  it('breaks up the legacy command form', () => assert.equal(inert('##[error]x'), '## [error]x'));
});

describe('safeText: a whole message on its way to a sink', () => {
  for (const [what, raw, shown] of HOSTILE) {
    it(`escapes ${what}`, () => {
      assert.equal(safeText(raw), shown);
      assertClean(safeText(raw), 'text', true);
    });
  }
  it('keeps our own line breaks', () => assert.equal(safeText('Plan: 1\n  - allowlist x'), 'Plan: 1\n  - allowlist x'));
  it('leaves ordinary text alone (accents, CJK, emoji)', () => assert.equal(safeText('café 東京 ✓ 🚀'), 'café 東京 ✓ 🚀'));
});

describe('safeJson: the JSON report and --json', () => {
  const values: [string, unknown][] = [
    ['a string of every hostile form', HOSTILE.map(([, raw]) => raw).join('|')],
    ['hostile keys and nested arrays', { [`k${ESC}[2J`]: [`\u202e`, { x: '\u0085\u2028' }] }],
    ['plain values', { a: 1, b: [true, null, 'text'] }],
  ];
  for (const [what, value] of values) {
    it(`${what}: no raw control or bidi character, and it parses back to the same value`, () => {
      for (const space of [undefined, 2]) {
        const json = safeJson(value, space);
        assertClean(json, 'json', space !== undefined);
        assert.deepEqual(JSON.parse(json), value);
      }
    });
  }
  it('JSON.stringify alone leaves C1, DEL and bidi characters raw (why safeJson exists)', () => {
    assert.match(JSON.stringify('\u009b\u007f\u202e'), /\u009b\u007f\u202e/);
    assert.equal(safeJson('\u009b\u007f\u202e'), '"\\u009b\\u007f\\u202e"');
  });
});

describe('escapeHtml: the step summary', () => {
  const cases: [string, string, string][] = [
    ['a tag', '<img src=x onerror=alert(1)>', '&#60;img src=x onerror=alert(1)&#62;'],
    ['an escape sequence', `${ESC}[2J<b>`, '\\u001b[2J&#60;b&#62;'],
    ['a bidi override', '\u202eabc', '\\u202eabc'],
    ['quotes and ampersands', `"a" & 'b'`, '&#34;a&#34; &#38; &#39;b&#39;'],
  ];
  for (const [what, raw, shown] of cases) it(`escapes ${what}`, () => assert.equal(escapeHtml(raw), shown));
});

describe('plainLines: no plain line a runner obeys', () => {
  const cases: [string, string][] = [
    ['::error::x', ': :error::x'],
    ['  ::add-mask::x', '  : :add-mask::x'],
    ['ok ##[error]x', 'ok ## [error]x'],
    ['a\n::warning::b', 'a\n: :warning::b'],
  ];
  for (const [raw, shown] of cases) it(JSON.stringify(raw), () => assert.equal(plainLines(raw), shown));
});

describe('outputExcerpt: the last lines of a failed command', () => {
  it('quotes at most the last lines asked for, each inert and cut, after a count of those left out', () => {
    const output = [...Array.from({ length: 2000 }, (_, index) => `line ${index}`), `${ESC}]52;c;x${BEL}${'y'.repeat(300_000)}`].join('\n');
    const excerpt = outputExcerpt(output, 3);
    const lines = excerpt.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['… (1998 earlier lines not quoted)', 'line 1998', 'line 1999']);
    assert.match(lines[3], /^\\u001b\]52;c;x\\u0007y+… \(300009 characters in all\) …y+$/, 'its start and its end');
    assert.ok(lines[3].length < 240, `${lines[3].length}`);
    assert.ok(excerpt.length < 400, `${excerpt.length}`);
    assertClean(excerpt, 'text', true);
  });
  it('treats a carriage return as the end of a line: it cannot hide text before it', () => {
    assert.deepEqual(outputExcerpt('real error\rIn sync.', 5).split('\n'), ['real error', 'In sync.']);
  });
  it('never quotes more than five lines', () => assert.equal(outputExcerpt('a\nb\nc\nd\ne\nf\ng', 50).split('\n').length, 6));
  const ends: [string, string, number, string][] = [
    ['a short line', 'exit code: 3', 200, 'exit code: 3'],
    ['a long line keeps its end', `executor failed running [${'x'.repeat(500)}]: exit code: 3`, 200, 'exit code: 3'],
    ['escapes are counted once escaped', `${ESC}`.repeat(100), 200, '\\u001b'],
  ];
  for (const [what, line, max, end] of ends) {
    it(`inertEnds: ${what}`, () => {
      const shown = inertEnds(line, max);
      assert.ok(shown.endsWith(end), shown);
      assert.ok(shown.length <= max + 40, `${shown.length}`);
      assertClean(shown, 'text', false);
    });
  }
});

describe("csvField: a field of docker's --secret CSV (Go encoding/csv)", () => {
  const cases: [string, string][] = [
    ['src=/home/u/.npmrc', 'src=/home/u/.npmrc'],
    ['src=/tmp/a,src=/etc/passwd', '"src=/tmp/a,src=/etc/passwd"'],
    ['src=/tmp/say "hi"', '"src=/tmp/say ""hi"""'],
    ['src=/tmp/a"b,c', '"src=/tmp/a""b,c"'],
    [' src=/leading-space', '" src=/leading-space"'],
    ['src=/tmp/with space', 'src=/tmp/with space'],
  ];
  for (const [field, written] of cases) it(JSON.stringify(field), () => assert.equal(csvField(field), written));

  it('secretSpecs quotes a secret-files path that holds ,src= (else the last src= wins and docker reads another file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    const specs = secretSpecs(dir, [], parseSecretFiles('key=/ws/x,src=/etc/passwd'), [], {});
    assert.deepEqual(specs, ['id=key,"src=/ws/x,src=/etc/passwd"']);
  });
  const refused: [string, string][] = [
    ['a line break', '"key=/ws/a\nb"'],
    ['a carriage return', '"key=/ws/a\rb"'],
    ['an escape character', `key=/ws/a${ESC}[2Jb`],
  ];
  for (const [what, input] of refused) {
    it(`refuses a secret-files path holding ${what}, naming the entry, quoted inert`, () => {
      assert.throws(
        () => parseSecretFiles(input),
        (error: Error) => {
          assert.match(
            error.message,
            /^secret-files: entry 1 \(secret key\) has a path holding a line break or another control character \(".*"\), which docker's --secret cannot carry\. Rename the file\.$/,
          );
          assertClean(error.message, 'text', false);
          return true;
        },
      );
    });
  }
});

describe('AWS errors: bounded, inert, and "re-run later" only when a re-run can help', () => {
  const error = (name: string, message: string, status?: number, attempts = 1): unknown =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts } });
  const huge = `${ESC}[2J${'m'.repeat(1_000_000)}`;
  const cases: [string, unknown, RegExp][] = [
    [
      'a 1 MB message with an escape sequence',
      error('ValidationError', huge, 400),
      /^iam:GetRolePolicy was refused by AWS \(ValidationError: \\u001b\[2Jm+… \(\d+ more characters\)\); a re-run would be refused the same way\./,
    ],
    [
      'a refused document',
      error('MalformedPolicyDocument', 'Syntax errors in policy.', 400),
      /^iam:GetRolePolicy was refused by AWS \(MalformedPolicyDocument: Syntax errors in policy\.\); a re-run would be refused/,
    ],
    [
      'throttling',
      error('Throttling', 'Rate exceeded', 400, 4),
      /^iam:GetRolePolicy failed after 4 attempts \(Throttling: Rate exceeded\)\. AWS or the network is failing; re-run the job later\./,
    ],
    ['a 503', error('ServiceUnavailable', 'down', 503, 4), /AWS or the network is failing; re-run the job later/],
    ['no answer (a dropped connection)', error('TimeoutError', 'socket hang up'), /AWS or the network is failing; re-run the job later/],
    [
      'a denial',
      error('AccessDenied', `not authorized${'\n'}::error::x`, 403),
      /^iam:GetRolePolicy was denied for R \(AccessDenied: not authorized\)\. Allow iam:GetRolePolicy/,
    ],
    ['a forged code', error(`Evil${ESC}[2J`, 'x', 400), /^iam:GetRolePolicy was refused by AWS \(Evil\\u001b\[2J: x\)/],
  ];
  for (const [what, thrown, message] of cases) {
    it(what, () => {
      const described = describeAwsError(thrown, 'iam:GetRolePolicy', 'R');
      assert.match(described.message, message);
      assert.ok(described.message.length < 700, `${described.message.length}`);
      assertClean(described.message, 'text', false);
    });
  }
});

describe('prune to empty: the plan removes the statement or the policy, never writes an empty one', () => {
  const arn = (name: string): string => `arn:aws:ecr:us-east-2:153263036946:repository/${name}`;
  const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
  const pull = { Sid: 'Pull', Effect: 'Allow' as const, Action: PULL, Resource: [arn('x'), arn('y')] };
  const login = { Sid: 'Login', Effect: 'Allow' as const, Action: 'ecr:GetAuthorizationToken', Resource: '*' };
  const base = (statements: object[]): PlanInput => ({
    region: 'us-east-2',
    registryId: '153263036946',
    verdicts: [],
    role: { roleArn: 'arn:aws:iam::004947743811:role/R' },
    grantPlans: new Map(),
    extra: ['x', 'y'],
    prune: true,
    pullActions: PULL,
    allowlistDocument: { Version: '2012-10-17', Statement: statements as never },
    policies: [],
    otherInlineLength: 0,
    policyName: 'Allowlist',
  });
  it('the last statement: the policy is deleted, and the plan says so', () => {
    const plan = planReconcile(base([pull]));
    assert.deepEqual(plan.emptied, { sid: 'Pull', deletePolicy: true });
    assert.equal(plan.allowlistAfter, undefined);
    assert.match(
      formatPlan(plan, 'Allowlist', 'R'),
      /- policy {5}Allowlist: prune leaves nothing in it \(statement "Pull" had only these ARNs\), so reconcile deletes the inline policy \(iam:DeleteRolePolicy\)/,
    );
  });
  it('another statement stays: only the statement goes', () => {
    const plan = planReconcile(base([login, pull]));
    assert.deepEqual(plan.emptied, { sid: 'Pull', deletePolicy: false });
    assert.deepEqual(plan.allowlistAfter?.Statement, [login]);
    assert.match(formatPlan(plan, 'Allowlist', 'R'), /- statement {2}"Pull": prune leaves no ARN in it, so reconcile removes the statement/);
  });
  it('an ARN left: nothing is emptied', () => {
    assert.equal(planReconcile({ ...base([login, pull]), extra: ['x'] }).emptied, undefined);
  });
  it('a stored extra holding a newline stays on its own plan line', () => {
    const forged = `x\n  + grant      molecule-ai/evil: pull statement on its repository policy`;
    const text = formatPlan(planReconcile({ ...base([{ ...pull, Resource: [arn(forged)] }]), extra: [forged] }), 'Allowlist', 'R');
    assert.ok(!text.split('\n').some((line) => line.trim().startsWith('+ grant')), text);
    assertClean(text, 'text', true);
  });
});

describe('docker output: shown bounded in the log, quoted bounded in the error', () => {
  const build: BuildInputs = { ...PLAIN_BUILD };
  const retry: PushRetry = { attempts: 1, delayMs: () => 0, sleep: async () => undefined };

  it('a build that prints 256 kB of hostile output and fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
    const script = join(dir, 'docker');
    // 4,000 lines of 64 characters with escape sequences and C1 controls, then one 20 kB line, then exit 1.
    writeFileSync(
      script,
      `#!/usr/bin/env node
if (process.argv[2] === 'buildx') process.exit(1);
const line = '\\u001b[2J\\u009b2J \\u202e' + 'z'.repeat(56) + '\\n';
for (let i = 0; i < 4000; i++) process.stdout.write(i + ' ' + line);
process.stderr.write('\\u001b]52;c;' + 'q'.repeat(20000) + '\\u0007\\n');
process.exitCode = 1; // not exit(): a pipe would lose what is not written yet
`,
    );
    chmodSync(script, 0o755);
    const lines: string[] = [];
    setLogger(plainLogger((text) => void lines.push(text)));
    const plan = { build, imageRefs: ['r/a:v1'], labels: [], dockerfile: 'Dockerfile', secrets: [] };
    await assert.rejects(buildAndPush({ path: script, env: {} }, plan, mkdtempSync(join(tmpdir(), 't-')), retry), (error: Error) => {
      // stderr holds the error: its one (20 kB) line, cut; the 256 kB on stdout are in the log only.
      assert.match(error.message, /^docker build failed \(exit 1\):\n\\u001b\]52;c;q+… \(20008 characters in all\) …q+\\u0007\nFix the Dockerfile/);
      assert.ok(error.message.length < 1500, `${error.message.length}`);
      assertClean(error.message, 'text', true);
      return true;
    });
    const log = lines.join('');
    assertClean(log, 'text', true);
    assert.ok(log.length < 2 * SHOWN + 20_000, `the log holds ${log.length} characters`);
    assert.match(log, /… \d+ line\(s\), \d+ characters, of this output not shown \(the log keeps its first and last 64 KiB\) …/);
    assert.match(log, /^0 \\u001b\[2J\\u009b2J \\u202ez+$/m, 'the first lines are shown');
    assert.match(log, /^3999 \\u001b\[2J/m, 'the last lines are shown');
    assert.ok(
      log.split('\n').every((line) => line.length <= 4200),
      'every line is cut',
    );
    setLogger(plainLogger());
  });
});

describe('the docker config: a parse error names the position, never the text around it', () => {
  it('a malformed config.json holding a login', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    mkdirSync(join(home, '.docker'));
    const secret = Buffer.from('me:hunter2-very-secret').toString('base64');
    writeFileSync(join(home, '.docker', 'config.json'), `{\n  "auths": {\n    "r.example": { "auth": "${secret}" x }\n  }\n}\n`);
    const lines: string[] = [];
    setLogger(plainLogger((text) => void lines.push(text)));
    createPrivateDockerConfig(mkdtempSync(join(tmpdir(), 't-')), { HOME: home }, { host: 'h', username: 'AWS', password: 'p' });
    setLogger(plainLogger());
    const log = lines.join('');
    assert.match(log, /WARNING docker config .*config\.json could not be read \(not valid JSON: expected ',' or '}' at line 3, column \d+\)/);
    assert.ok(!log.includes(secret.slice(0, 8)), log);
  });
});
