// Hostile manifests. The manifest comes from a pull request in the gate workflow: it must not make
// the action read another file (../../etc/passwd, absolute paths, symlinks out), block (a FIFO),
// exhaust memory (/dev/zero, a sparse 16 GB file, 20,000 levels), echo file content, or flood the
// log. Through dist/index.js against moto, plus table tests of the parser itself.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { readManifestFile } from '../../src/adapters/manifest-file.js';
import { expectedRepositories } from '../../src/domain/manifest.js';
import { UserError } from '../../src/errors.js';
import { JsonTextError, parseJsonText } from '../../src/util/json.js';
import { INCIDENT_ALLOWLIST, MANIFEST_NAMES, PLATFORM_AGENT, presets, runAction } from '../../stack/fixture.js';
import { FORGED, assertNoForgedCommands, assertNoWrite, assertOneError, useStoredMoto } from './stack.js';

/** verify of `manifest` (no pull-principals). */
const inputs = (manifest: string, extra: Record<string, string> = {}): Record<string, string> => ({
  ...presets.verifyManifest,
  manifest,
  'pull-principals': '',
  ...extra,
});

/** A workspace inside a parent folder that also holds a file outside it (`../outside.json`). */
function layout(): { ws: string; outside: string } {
  const parent = mkdtempSync(join(tmpdir(), 'hostile-manifest-'));
  const ws = join(parent, 'workspace');
  mkdirSync(ws);
  const outside = join(parent, 'outside.json');
  writeFileSync(outside, JSON.stringify({ workspace_templates: ['codex'], secret: 'OUTSIDE-SECRET' }));
  return { ws, outside };
}

type Setup = (ws: string, outside: string) => string;
const put =
  (name: string, content: string | Buffer): Setup =>
  (ws) => {
    const path = join(ws, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return name;
  };
const nested = (depth: number): string => `{"workspace_templates": ${'['.repeat(depth)}${']'.repeat(depth)}}`;

type Case = [string, Setup, RegExp, { extra?: Record<string, string>; absent?: string[]; withinMs?: number }?];
const cases: Case[] = [
  ['../../etc/passwd', () => '../../etc/passwd', /^manifest: "\.\.\/\.\.\/etc\/passwd" is outside the workspace/, { absent: ['root:x:0'] }],
  ['an absolute /etc/passwd', () => '/etc/passwd', /^manifest: "\/etc\/passwd" is outside the workspace/, { absent: ['root:x:0'] }],
  [
    'a symlink in the workspace to /etc/passwd',
    (ws) => (symlinkSync('/etc/passwd', join(ws, 'manifest.json')), 'manifest.json'),
    /^manifest: "manifest.json" is outside the workspace .*a link that leads out/,
    { absent: ['root:x:0'] },
  ],
  [
    'a symlink in the workspace to /dev/zero',
    (ws) => (symlinkSync('/dev/zero', join(ws, 'zero.json')), 'zero.json'),
    /^manifest: "zero.json" is outside the workspace/,
    { withinMs: 20_000 },
  ],
  ['an absolute /dev/zero', () => '/dev/zero', /^manifest: "\/dev\/zero" is outside the workspace/, { withinMs: 20_000 }],
  [
    'a symlink to a file beside the workspace',
    (ws, outside) => (symlinkSync(outside, join(ws, 'm.json')), 'm.json'),
    /^manifest: "m.json" is outside the workspace/,
    { absent: ['OUTSIDE-SECRET'] },
  ],
  [
    'a path that climbs out through a subfolder',
    (ws) => (mkdirSync(join(ws, 'sub')), 'sub/../../outside.json'),
    /^manifest: "sub\/\.\.\/\.\.\/outside.json" is outside the workspace/,
    { absent: ['OUTSIDE-SECRET'] },
  ],
  [
    'a symlinked folder that leads out',
    (ws, outside) => (symlinkSync(dirname(outside), join(ws, 'up')), 'up/outside.json'),
    /^manifest: "up\/outside.json" is outside the workspace/,
    { absent: ['OUTSIDE-SECRET'] },
  ],
  ['the workspace itself', () => '.', /^manifest: "\." is outside the workspace/],
  [
    'a character device inside the workspace',
    (ws) => (execFileSync('mknod', [join(ws, 'zero.json'), 'c', '1', '5']), 'zero.json'),
    /^manifest: "zero.json" is a character device, not a regular file/,
    { withinMs: 20_000 },
  ],
  [
    'a FIFO inside the workspace',
    (ws) => (execFileSync('mkfifo', [join(ws, 'fifo.json')]), 'fifo.json'),
    /^manifest: "fifo.json" is a FIFO, not a regular file/,
    { withinMs: 20_000 },
  ],
  ['a folder inside the workspace', (ws) => (mkdirSync(join(ws, 'templates')), 'templates'), /^manifest: "templates" is a directory, not a regular file/],
  [
    'a sparse 16 GB file',
    (ws) => (writeFileSync(join(ws, 'big.json'), ''), truncateSync(join(ws, 'big.json'), 16 * 1024 ** 3), 'big.json'),
    /^manifest: "big.json" is 17179869184 bytes; the limit is 5242880 \(5 MiB\)/,
    { withinMs: 20_000 },
  ],
  [
    'a 6 MiB manifest',
    put('large.json', JSON.stringify({ workspace_templates: ['codex'], padding: 'x'.repeat(6 * 1024 * 1024) })),
    /^manifest: "large.json" is \d+ bytes; the limit is 5242880/,
  ],
  [
    '20,000 levels of nesting',
    put('deep.json', nested(20_000)),
    /^manifest: "deep.json" is not valid JSON \(nesting deeper than 64 levels at line 1, column 88\)/,
  ],
  ['65 levels of nesting', put('deep65.json', nested(64)), /^manifest: "deep65.json" is not valid JSON \(nesting deeper than 64 levels/],
  [
    'YAML',
    put('manifest.yml', 'workspace_templates: [codex, hermes]\n'),
    /^manifest: "manifest.yml" is not valid JSON \(expected a value at line 1, column 1\)\. Fix the file; JSON, not YAML\.$/,
    { absent: ['hermes'] },
  ],
  [
    'a secrets file',
    put('.env', 'AWS_SECRET_ACCESS_KEY=hunter2-do-not-print\n'),
    /^manifest: "\.env" is not valid JSON \(expected a value at line 1, column 1\)/,
    { absent: ['hunter2'] },
  ],
  [
    'a JSON error on line 3',
    put('broken.json', '{\n  "workspace_templates": [\n    "codex" "hermes-secret"\n  ]\n}\n'),
    /^manifest: "broken.json" is not valid JSON \(expected ',' or '\]' at line 3, column 13\)/,
    { absent: ['hermes-secret'] },
  ],
  ['an empty file', put('empty.json', ''), /^manifest: "empty.json" is not valid JSON \(unexpected end of the text at line 1, column 1\)/],
  [
    'a 4 MiB entry',
    put('huge-entry.json', JSON.stringify({ workspace_templates: ['a'.repeat(4 * 1024 * 1024)] })),
    /^manifest: entry 0 of "workspace_templates" in "huge-entry.json" \("a+… \(\d+ more characters\)"\) maps to "molecule-ai\/workspace-template-a+… \(\d+ more characters\)", which is not a valid ECR repository name/,
  ],
  [
    '10,001 entries',
    put('many.json', JSON.stringify({ workspace_templates: Array.from({ length: 10_001 }, (_, index) => `t${index}`) })),
    /^manifest: "workspace_templates" in "many.json" has 10001 entries; the limit is 10000/,
  ],
  [
    'an entry carrying an error command',
    put('m1.json', JSON.stringify({ workspace_templates: [`codex${FORGED.error}`] })),
    /^manifest: entry 0 of "workspace_templates" in "m1.json" \("codex\\u000a::error::forged"\) maps to /,
  ],
  [
    'an entry object that masks a value',
    put('m2.json', JSON.stringify({ workspace_templates: [{ name: `codex${FORGED.mask}` }] })),
    /^manifest: entry 0 .* maps to "molecule-ai\/workspace-template-codex\\u000a::add-mask::x", which is not a valid/,
  ],
  [
    'an entry that saves state',
    put('m3.json', JSON.stringify({ workspace_templates: ['codex', { name: FORGED.state }] })),
    /^manifest: entry 1 .* maps to .*\\u000a::save-state name=docker-config::\/etc", which is not a valid/,
  ],
  [
    'an entry in the legacy command form',
    put('m4.json', JSON.stringify({ workspace_templates: [FORGED.legacy] })),
    /^manifest: entry 0 of "workspace_templates" in "m4.json" \("## \[error\]forged"\) maps to/,
  ],
  [
    'an entry that is a number',
    put('m5.json', JSON.stringify({ workspace_templates: [42] })),
    /^manifest: entry 0 of "workspace_templates" in "m5.json" \(42\) is neither a string nor an object\.$/,
  ],
  [
    'manifest-key constructor',
    put('m6.json', JSON.stringify({ workspace_templates: ['codex'] })),
    /^manifest: "m6.json" has no "constructor"\. Set manifest-key/,
    { extra: { 'manifest-key': 'constructor' } },
  ],
  [
    'manifest-key __proto__',
    put('m7.json', JSON.stringify({ workspace_templates: ['codex'] })),
    /^manifest: "m7.json" has no "__proto__"/,
    { extra: { 'manifest-key': '__proto__' } },
  ],
  [
    'a template field from the prototype',
    put('m8.json', JSON.stringify({ workspace_templates: [{ name: 'codex' }] })),
    /^manifest: entry 0 .* has no string field "constructor", which repository-template "\{constructor\}" uses/,
    { extra: { 'repository-template': '{constructor}' } },
  ],
  [
    'a list that is null',
    put('m9.json', JSON.stringify({ workspace_templates: null })),
    /^manifest: "workspace_templates" in "m9.json" is null, not a list of templates\.$/,
  ],
  ['a path that does not exist', () => 'platform/manifest.json', /^manifest: cannot read "platform\/manifest.json" \(ENOENT\)/],
  ['a path carrying an error command', () => `manifest.json${FORGED.error}`, /^manifest: cannot read "manifest.json\\u000a::error::forged" \(ENOENT\)/],
];

describe(`hostile manifests: ${cases.length} cases through dist/index.js, each one short error, no content echoed, no write`, () => {
  const stack = useStoredMoto({ allowlist: INCIDENT_ALLOWLIST });

  for (const [what, setup, message, options] of cases) {
    it(`refuses ${what}`, async () => {
      stack.proxy.clear();
      const { ws, outside } = layout();
      const manifest = setup(ws, outside);
      const started = Date.now();
      const run = await runAction(
        inputs(manifest, options?.extra),
        { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, GITHUB_WORKSPACE: ws, AWS_MAX_ATTEMPTS: '2' },
        { timeoutMs: 60_000 },
      );
      if (options?.withinMs) assert.ok(Date.now() - started < options.withinMs, `ended in ${Date.now() - started} ms`);
      assertOneError(run, message);
      for (const text of options?.absent ?? []) assert.ok(!run.log.includes(text), `the log echoes ${text}`);
      await assertNoWrite(run, stack.endpoint, stack.state, stack.proxy);
    });
  }

  it('reads a manifest inside the workspace (a BOM, a symlink within) and gives the correct verdict, without a write', async () => {
    const { ws } = layout();
    mkdirSync(join(ws, 'platform'));
    writeFileSync(join(ws, 'platform', 'manifest.json'), `\uFEFF${JSON.stringify({ workspace_templates: [...MANIFEST_NAMES, { name: 'codex' }] })}`);
    symlinkSync(join(ws, 'platform', 'manifest.json'), join(ws, 'templates.json'));
    for (const manifest of ['platform/manifest.json', 'templates.json', join(ws, 'platform', 'manifest.json')]) {
      const run = await runAction(inputs(manifest), { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, GITHUB_WORKSPACE: ws }, { timeoutMs: 60_000 });
      assert.equal(run.exitCode, 1, run.log);
      assert.deepEqual(JSON.parse(run.outputs.missing), [PLATFORM_AGENT], run.log);
      assertNoForgedCommands(run.log);
      assert.deepEqual(await stack.writableState(), stack.state);
    }
  });
});

describe('the manifest reader and JSON checker, table-driven', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-unit-'));
  writeFileSync(join(dir, 'ok.json'), '{"workspace_templates": ["codex"]}');
  const problem = (call: () => unknown): string => {
    try {
      call();
    } catch (error) {
      assert.ok(error instanceof UserError || error instanceof JsonTextError, String(error));
      return (error as Error).message;
    }
    return 'no error';
  };

  const json: [string, string, RegExp][] = [
    ['a trailing comma in a list', '[1,]', /^expected a value at line 1, column 4$/],
    ['a trailing comma in an object', '{"a":1,}', /^expected a property name in double quotes at line 1, column 8$/],
    ['single quotes', "{'a':1}", /^expected a property name in double quotes at line 1, column 2$/],
    ['a raw tab in a string', '["a\tb"]', /^a control character inside a string at line 1, column 4$/],
    ['a bad escape', '["\\x"]', /^a bad escape at line 1, column 3$/],
    ['a short \\u escape', '["\\u12"]', /^a bad \\u escape at line 1, column 3$/],
    ['an unterminated string', '["abc', /^an unterminated string at line 1, column 6$/],
    ['text after the value', '{} {}', /^unexpected text after the end of the JSON value at line 1, column 4$/],
    ['a leading zero', '[01]', /^expected ',' or '\]' at line 1, column 3$/],
    ['NaN', '[NaN]', /^expected a value at line 1, column 2$/],
    ['mismatched brackets', '[}', /^expected a value at line 1, column 2$/],
    ['200,000 levels', '['.repeat(200_000), /^nesting deeper than 64 levels at line 1, column 65$/],
  ];
  for (const [what, text, message] of json) {
    it(`JSON: ${what}`, () => {
      assert.match(
        problem(() => parseJsonText(text, { maxDepth: 64 })),
        message,
      );
      assert.throws(() => JSON.parse(text), 'JSON.parse refuses it too');
    });
  }

  it('JSON: what JSON.parse accepts, the checker accepts (numbers, escapes, unicode, 64 levels)', () => {
    for (const text of ['0', '-1.5e-3', '"\\u00e9\\n\\/"', '{"a":[true,false,null,{"b":"é"}]}', `${'['.repeat(64)}${']'.repeat(64)}`, ' \n\t{ } ']) {
      assert.deepEqual(parseJsonText(text, { maxDepth: 64 }), JSON.parse(text), text);
    }
  });

  it('reader: a relative path resolves against the workspace, not the current directory', () => {
    assert.deepEqual(readManifestFile('ok.json', dir), { workspace_templates: ['codex'] });
    assert.match(
      problem(() => readManifestFile('ok.json', mkdtempSync(join(tmpdir(), 'hostile-empty-')))),
      /^manifest: cannot read "ok.json" \(ENOENT\)/,
    );
  });

  it('reader: a workspace reached through a symlink accepts paths through either name; outside stays outside', () => {
    const link = join(mkdtempSync(join(tmpdir(), 'hostile-link-')), 'ws');
    symlinkSync(dir, link);
    assert.deepEqual(readManifestFile(join(link, 'ok.json'), link), { workspace_templates: ['codex'] });
    assert.deepEqual(readManifestFile(join(dir, 'ok.json'), link), { workspace_templates: ['codex'] });
    assert.match(
      problem(() => readManifestFile(join(link, '..', 'ok.json'), link)),
      /is outside the workspace/,
    );
  });

  it('reader: a path outside is refused before the file system is asked (no probing for files)', () => {
    assert.match(
      problem(() => readManifestFile('../../../../no/such/file.json', dir)),
      /^manifest: "\.\.\/\.\.\/\.\.\/\.\.\/no\/such\/file.json" is outside the workspace/,
    );
  });

  it('reader: a workspace that does not exist is named', () => {
    assert.match(
      problem(() => readManifestFile('ok.json', join(dir, 'gone'))),
      /^manifest: the workspace ".*gone" cannot be read \(ENOENT\)/,
    );
  });

  it('entries: a 1 MB object entry is quoted in at most 80 characters', () => {
    const message = problem(() => expectedRepositories({ t: [{ other: 'x'.repeat(1_000_000) }] }, 'm.json', 't', '{name}', []));
    assert.match(message, /^manifest: entry 0 of "t" in "m.json" \(\{"other":"x+… \(\d+ more characters\)\) has no string field "name"/);
    assert.ok(message.length < 500, `${message.length} characters`);
  });

  it('entries: a dotted key never walks into the prototype', () => {
    assert.match(
      problem(() => expectedRepositories({ a: {} }, 'm.json', 'a.constructor.name', '{name}', [])),
      /^manifest: "m.json" has no "a.constructor.name"/,
    );
    assert.match(
      problem(() => expectedRepositories({}, 'm.json', 'toString', '{name}', [])),
      /^manifest: "m.json" has no "toString"/,
    );
  });

  it('entries: numbers fill a template; duplicates and extras are merged and sorted', () => {
    assert.deepEqual(expectedRepositories({ t: ['b', { name: 'a' }, { name: 7 }, 'b'] }, 'm.json', 't', 'team/{name}', ['team/z']), [
      'team/7',
      'team/a',
      'team/b',
      'team/z',
    ]);
  });
});
