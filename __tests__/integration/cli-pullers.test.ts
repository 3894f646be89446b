// docs/pullers.md gives `--pullers "$(cat pullers.yml)"`: a YAML list starts with `-`, which node's
// parseArgs calls an "ambiguous" option value. The three documented forms, through the built
// `node dist/index.js verify` against moto: the list as the next argument, after `=`, and `@file`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALLOWLIST_POLICY,
  PLATFORM_AGENT,
  PROD_ACCOUNT,
  READER_ROLE_ARN,
  STAGING_ROLE_ARN,
  runCli,
  terminalEnv,
  useMoto,
  workspace,
} from '../../stack/fixture.js';

const stack = useMoto({ repositories: [PLATFORM_AGENT], granted: [PLATFORM_AGENT], allowlist: [PLATFORM_AGENT], once: true });

/** pullers.yml as a user writes it: a YAML list, so its first character is `-`. */
const PULLERS_YML = [
  `- name: staging`,
  `  role-arn: ${STAGING_ROLE_ARN}`,
  `  policy-name: ${ALLOWLIST_POLICY}`,
  `  assume-role-arn: ${READER_ROLE_ARN}`,
  '',
].join('\n');

const common = ['--registry-id', PROD_ACCOUNT, '--repository', PLATFORM_AGENT];

describe('the CLI takes --pullers in every documented form (a YAML list starts with "-")', () => {
  const ws = workspace({ 'pullers.yml': PULLERS_YML });
  const cli = (args: string[]) => runCli(args, { cwd: ws, env: terminalEnv(stack.env, stack.endpoint) });

  const forms: [string, string[]][] = [
    ['--pullers "$(cat pullers.yml)" (the list as the next argument)', ['--pullers', PULLERS_YML]],
    ['--pullers=<the list>', [`--pullers=${PULLERS_YML}`]],
    ['--pullers @pullers.yml', ['--pullers', '@pullers.yml']],
  ];
  for (const [form, flags] of forms) {
    it(`${form}: read, judged, in sync (exit 0)`, async () => {
      const result = await cli(['verify', ...common, ...flags]);
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      assert.doesNotMatch(result.stderr, /ambiguous/);
      assert.match(result.stdout, /molecule-ai\/molecule-platform-agent\s+ok\s+allowed/);
      assert.match(result.stdout, /In sync\./);
    });
  }

  it('a value-taking flag with no value names the flag (not "ambiguous"), exit 1', async () => {
    const result = await cli(['verify', ...common, '--pullers', '--json']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^publish-image: --pullers: needs a value/m);
  });

  it('any value-taking flag takes a value starting with "-" as given: --staging-policy-name -x is judged as that name', async () => {
    const result = await cli([
      'verify',
      ...common,
      '--staging-role-arn',
      STAGING_ROLE_ARN,
      '--staging-assume-role-arn',
      READER_ROLE_ARN,
      '--staging-policy-name',
      '-x',
    ]);
    assert.equal(result.code, 2, `${result.stdout}\n${result.stderr}`);
    assert.doesNotMatch(result.stderr, /ambiguous/);
    assert.match(result.stdout, /inline policy -x is not on role/);
  });
});
