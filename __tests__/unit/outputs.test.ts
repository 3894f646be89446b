// The report's sinks, in-process: emitReport writes every output (GITHUB_OUTPUT), the JSON report
// file, the step summary and the log, from a typed report. The end-to-end tests see the same through
// dist/index.js against moto; these run in milliseconds and pin the shapes (GitHub Actions docs,
// "Workflow commands for GitHub Actions": GITHUB_OUTPUT's `name<<delimiter` blocks, GITHUB_STEP_SUMMARY).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { emitReport } from '../../src/action/outputs.js';
import type { RepositoryVerdict } from '../../src/domain/checks/model.js';
import { plainLogger, setLogger } from '../../src/log.js';
import { matrixJson, reportJson } from '../../src/report/json.js';
import { emptyReport, hasDrift, type RunReport } from '../../src/report/model.js';
import { formatTable, renderFindings, verdictTable } from '../../src/report/render.js';
import { parseCommandFile } from '../../stack/action.js';

const REGION = 'us-east-2';
const REGISTRY = '153263036946';
const ROLE = 'arn:aws:iam::004947743811:role/staging-puller';
const arnOf = (name: string): string => `arn:aws:ecr:${REGION}:${REGISTRY}:repository/${name}`;

const allowed = { status: 'allowed' as const, deciding: [], unknownKeys: [] };
const missing = { status: 'missing' as const, action: 'ecr:BatchGetImage', deciding: [], unknownKeys: [] };

function cell(repository: string, extra: Partial<RepositoryVerdict> = {}): RepositoryVerdict {
  return {
    repository,
    puller: ROLE,
    arn: arnOf(repository),
    exists: true,
    grant: allowed,
    identity: allowed,
    stalePrincipals: [],
    grantWritten: false,
    allowlistAdded: false,
    drift: false,
    ...extra,
  };
}

function verifyReport(cells: RepositoryVerdict[]): RunReport {
  return {
    ...emptyReport('verify', REGION),
    registryId: REGISTRY,
    repositories: cells,
    missing: cells.filter((verdict) => verdict.drift).map((verdict) => verdict.repository),
    pullers: [
      {
        name: ROLE,
        role: { roleArn: ROLE, login: allowed },
        settings: {
          roleArn: ROLE,
          policyName: 'ecr-pull-allowlist',
          policySid: 'PublishImagePull',
          pullActions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        },
        extra: [],
        logins: [{ region: REGION, login: allowed }],
      },
    ],
  };
}

/** A runner's files around one emitReport call, and the log lines it wrote. */
let dir: string;
let lines: string[];
const saved = { ...process.env };
// The toolkit's summary keeps the path it first wrote to: one file for the whole test file, emptied before each test.
const SUMMARY = join(mkdtempSync(join(tmpdir(), 'summary-')), 'summary');

function beforeEachTest(): void {
  dir = mkdtempSync(join(tmpdir(), 'outputs-'));
  writeFileSync(join(dir, 'output'), '');
  writeFileSync(SUMMARY, '');
  process.env.GITHUB_OUTPUT = join(dir, 'output');
  process.env.GITHUB_STEP_SUMMARY = SUMMARY;
  process.env.RUNNER_TEMP = dir;
  lines = [];
  setLogger(plainLogger((text) => lines.push(text)));
}

function afterEachTest(): void {
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'RUNNER_TEMP']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  setLogger(plainLogger());
}

const outputs = (): Record<string, string> => parseCommandFile(readFileSync(join(dir, 'output'), 'utf8'));

describe('emitReport: every output, the report file, the summary and the log (in-process)', () => {
  // Per suite, not at the file's top: unit files may share one process (scripts/test.ts).
  beforeEach(beforeEachTest);
  afterEach(afterEachTest);

  it('publish: the image outputs, no drift, the report file readable by the runner user only', async () => {
    const image = {
      digest: `sha256:${'a'.repeat(64)}`,
      imageUri: `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/team/app:v1`,
      tags: ['v1', 'sha-0123456'],
      repositoryArn: arnOf('team/app'),
      registry: `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com`,
    };
    const path = await emitReport({ ...emptyReport('publish', REGION), image }, dir);

    const out = outputs();
    assert.equal(out.digest, image.digest);
    assert.equal(out['image-uri'], image.imageUri);
    assert.equal(out.tags, 'v1\nsha-0123456', 'one tag per line');
    assert.equal(out['repository-arn'], image.repositoryArn);
    assert.equal(out.registry, image.registry);
    assert.equal(out.drift, 'false');
    assert.equal(out['repository-policy-changed'], 'false');
    assert.equal(out.missing, '[]');
    assert.equal(out.extra, '[]');
    assert.equal(out.matrix, undefined, 'no puller judged: no matrix');
    assert.equal(out.report, path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).image, image);
    const summary = readFileSync(SUMMARY, 'utf8');
    assert.match(summary, /<h3>publish-image: publish<\/h3>/);
    assert.ok(summary.includes(`Pushed <code>${image.imageUri}</code>`), summary);
    assert.ok(lines.some((line) => line.startsWith(`Report: ${path}`)));
  });

  it('verify with a missing grant: drift, missing, the matrix, the table in log and summary, one error finding', async () => {
    const report = verifyReport([cell('team/api'), cell('team/web', { grant: missing, drift: true })]);
    await emitReport(report, dir);

    const out = outputs();
    assert.equal(out.drift, 'true');
    assert.deepEqual(JSON.parse(out.missing), ['team/web']);
    assert.deepEqual(
      (JSON.parse(out.matrix) as { repository: string; grant: string; identity: string; verdict: string }[]).map((entry) => [
        entry.repository,
        entry.grant,
        entry.identity,
        entry.verdict,
      ]),
      [
        ['team/api', 'allowed', 'allowed', 'ok'],
        ['team/web', 'missing', 'allowed', 'drift'],
      ],
    );
    const log = lines.join('');
    assert.match(log, /team\/web\s+missing\s+allowed\s+-\s+drift/);
    assert.match(log, /^ERROR team\/web: /m, 'the finding names the repository');
    const summary = readFileSync(SUMMARY, 'utf8');
    assert.match(summary, /<table>/);
    assert.match(summary, /<td>team\/web<\/td><td>missing<\/td>/);
  });

  it('stored text in a repository name reaches the summary escaped and the outputs as JSON that parses back', async () => {
    const name = 'team/<img src=x>&"\u202e';
    await emitReport(verifyReport([cell(name, { grant: missing, drift: true })]), dir);
    const summary = readFileSync(SUMMARY, 'utf8');
    assert.ok(!summary.includes('<img'), summary);
    assert.ok(summary.includes('team/&#60;img src=x&#62;&#38;&#34;\\u202e</td>'), summary);
    assert.ok(!summary.includes('\u202e'), 'bidi control shown escaped, not raw');
    const out = outputs();
    assert.ok(!out.missing.includes('\u202e'), 'bidi control escaped in the output');
    assert.deepEqual(JSON.parse(out.missing), [name]);
  });
});

describe('report rendering (in-process)', () => {
  // Per suite, not at the file's top: unit files may share one process (scripts/test.ts).
  beforeEach(beforeEachTest);
  afterEach(afterEachTest);

  it('formatTable: columns as wide as their widest cell, two spaces apart, no trailing space', () => {
    assert.equal(
      formatTable(
        ['repository', 'verdict'],
        [
          ['a', 'ok'],
          ['team/longer-name', 'drift'],
        ],
      ),
      ['repository        verdict', '----------------  -------', 'a                 ok', 'team/longer-name  drift'].join('\n'),
    );
  });

  it('verdictTable: one row per repository for one puller in one region', () => {
    const table = verdictTable(verifyReport([cell('team/api', { digest: `sha256:${'b'.repeat(64)}` }), cell('team/web', { grant: missing, drift: true })]));
    assert.deepEqual(table.header, ['repository', 'grant', 'identity', 'digest', 'verdict']);
    assert.deepEqual(table.rows, [
      ['team/api', 'ok', 'allowed', `sha256:${'b'.repeat(12)}`, 'ok'],
      ['team/web', 'missing', 'allowed', '-', 'drift'],
    ]);
  });

  it('hasDrift, renderFindings and the JSON report agree on a clean run: no drift, no finding', () => {
    const report = verifyReport([cell('team/api')]);
    assert.equal(hasDrift(report), false);
    assert.deepEqual(renderFindings(report), []);
    const json = JSON.parse(reportJson(report)) as { mode: string; findings: unknown[]; matrix: unknown[]; role: { roleArn: string } };
    assert.equal(json.mode, 'verify');
    assert.deepEqual(json.findings, []);
    assert.equal(json.matrix.length, 1);
    assert.equal(json.role.roleArn, ROLE, 'one puller: `role` at the top, as before several were possible');
    assert.equal(matrixJson(report), JSON.stringify(json.matrix));
  });
});
