import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  ALLOWLIST_POLICY,
  EXPECTED,
  GRANTED,
  INCIDENT_ALLOWLIST,
  PLATFORM_AGENT,
  ROOT,
  allowlistPolicy,
  cliFlags,
  errorLines,
  presets,
  reportOf,
  repoArn,
  runAction,
  runCli,
  template,
  useMoto,
  writeManifest,
  type MotoStack,
} from '../../stack/fixture.js';

const MISSING = [template('deep-research'), template('google-adk'), template('seo-agent'), PLATFORM_AGENT].sort();
const EXTRA = [template('autogen'), template('langgraph')];

const run = (extra: Record<string, string> = {}) => runAction({ ...presets.verifyManifest, ...extra }, stack.env, { timeoutMs: 120_000 });

/** One moto per suite, reset and seeded as in incident #3054 before every test; `stack` is the running suite's. */
let stack: MotoStack<undefined>;
function useIncidentMoto(): void {
  const own = useMoto({
    repositories: [...EXPECTED, ...EXTRA],
    granted: [...EXPECTED, ...EXTRA].filter((repository) => repository !== template('deep-research')),
    allowlist: INCIDENT_ALLOWLIST,
  });
  before(() => {
    stack = own;
  });
}

describe('drift over the template manifest (moto)', () => {
  useIncidentMoto();

  it('replays incident #3054: verify finds exactly the missing and extra; reconcile fixes; verify passes; reconcile again writes nothing', async () => {
    const drifted = await run();
    assert.equal(drifted.exitCode, 1, drifted.log);
    assert.equal(drifted.outputs.drift, 'true');
    assert.deepEqual(JSON.parse(drifted.outputs.missing), MISSING);
    assert.deepEqual(JSON.parse(drifted.outputs.extra), EXTRA);
    assert.match(drifted.log, /molecule-ai\/workspace-template-deep-research\s+missing\s+missing/);
    assert.match(
      drifted.log,
      /::warning::the allowlist names 2 repositories that the manifest does not expect: molecule-ai\/workspace-template-autogen, molecule-ai\/workspace-template-langgraph/,
    );

    const reconciled = await run({ mode: 'reconcile' });
    assert.equal(reconciled.exitCode, 0, reconciled.log);
    assert.match(reconciled.log, /Plan: 1 grant\(s\) to add, 4 allowlist ARN\(s\) to add, 0 to remove/);
    assert.match(reconciled.log, /\+ allowlist {2}arn:aws:ecr:us-east-2:153263036946:repository\/molecule-ai\/molecule-platform-agent/);
    assert.equal(reconciled.outputs['repository-policy-changed'], 'true');
    assert.equal(reconciled.outputs.drift, 'false');
    assert.match(reconciled.log, /molecule-ai\/workspace-template-deep-research\s+granted\s+added/);
    const allowlist = (await stack.storedAllowlist()) as { Statement: { Sid: string; Resource: string[] }[] };
    assert.deepEqual(allowlist.Statement[0], { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }, 'other statements kept');
    assert.deepEqual(allowlist.Statement[1].Resource, [...INCIDENT_ALLOWLIST, ...MISSING].map(repoArn), 'extras kept without prune; additions appended');
    const report = reportOf(reconciled);
    assert.deepEqual(
      report.policyChanges.find((change: { target: string }) => change.target === `role:MoleculeTenantEICRole-staging/${ALLOWLIST_POLICY}`).before,
      allowlistPolicy(INCIDENT_ALLOWLIST),
    );

    const verified = await run();
    assert.equal(verified.exitCode, 0, verified.log);
    assert.equal(verified.outputs.missing, '[]');
    assert.deepEqual(JSON.parse(verified.outputs.extra), EXTRA);

    const again = await run({ mode: 'reconcile' });
    assert.equal(again.exitCode, 0, again.log);
    assert.match(again.log, /Plan: no changes/);
    assert.equal(again.outputs['repository-policy-changed'], 'false');
    assert.deepEqual(await stack.storedAllowlist(), allowlist);
  });

  it('prunes extras only when asked', async () => {
    const pruned = await run({ mode: 'reconcile', prune: 'true' });
    assert.equal(pruned.exitCode, 0, pruned.log);
    assert.match(pruned.log, /- allowlist {2}arn:aws:ecr:us-east-2:153263036946:repository\/molecule-ai\/workspace-template-autogen/);
    const allowlist = (await stack.storedAllowlist()) as { Statement: { Resource: string[] }[] };
    assert.deepEqual([...allowlist.Statement[1].Resource].sort(), EXPECTED.map(repoArn).sort());
    assert.equal(pruned.outputs.extra, '[]');
  });

  it('dry-run prints the plan and writes nothing', async () => {
    const before = await stack.storedAllowlist();
    const grantBefore = await stack.storedRepositoryPolicy(template('deep-research'));
    const dry = await run({ mode: 'reconcile', 'dry-run': 'true', prune: 'true' });
    assert.equal(dry.exitCode, 1, 'still drifted: a dry run fails as verify would');
    assert.match(dry.log, /Plan: 1 grant\(s\) to add, 4 allowlist ARN\(s\) to add, 2 to remove/);
    assert.match(dry.log, /dry-run: nothing was written/);
    assert.equal(dry.outputs.drift, 'true');
    assert.deepEqual(await stack.storedAllowlist(), before);
    assert.deepEqual(await stack.storedRepositoryPolicy(template('deep-research')), grantBefore);
  });

  it('on-extra: fail turns extras into a failure; ignore silences them', async () => {
    await stack.putAllowlist(allowlistPolicy([...EXPECTED, ...EXTRA]));
    await stack.setRepositoryPolicy(template('deep-research'), GRANTED);
    const failing = await run({ 'on-extra': 'fail' });
    assert.equal(failing.exitCode, 1, failing.log);
    assert.ok(errorLines(failing.log).some((line) => line.includes('does not expect: molecule-ai/workspace-template-autogen')));
    const ignoring = await run({ 'on-extra': 'ignore' });
    assert.equal(ignoring.exitCode, 0, ignoring.log);
    assert.ok(!ignoring.log.includes('does not expect'));
  });

  it('reports what a wildcard allowlist covers', async () => {
    await stack.putAllowlist(allowlistPolicy(['molecule-ai/workspace-template-*', PLATFORM_AGENT]));
    const verified = await run();
    assert.match(
      verified.log,
      /Wildcard arn:aws:ecr:us-east-2:153263036946:repository\/molecule-ai\/workspace-template-\* in the allowlist covers 7 expected repositories/,
    );
    assert.deepEqual(JSON.parse(verified.outputs.missing), [template('deep-research')], 'only the missing grant is left');
  });

  it('refuses a change past the inline-policy size limit, naming what to do, and writes nothing', async () => {
    const many = Array.from({ length: 112 }, (_, index) => `molecule-ai/workspace-template-legacy-${String(index).padStart(3, '0')}`);
    await stack.putAllowlist(allowlistPolicy(many));
    const before = await stack.storedAllowlist();
    const refused = await run({ mode: 'reconcile' });
    assert.equal(refused.exitCode, 1, refused.log);
    assert.match(
      errorLines(refused.log).at(-1)!,
      /^reconcile: the inline policies of the role would be \d+ characters .* over IAM's 10240\. Replace explicit ARNs in WorkspaceTemplatePrimaryECRPull with a name-prefix wildcard .* Nothing was written\.$/,
    );
    assert.deepEqual(await stack.storedAllowlist(), before);
    assert.deepEqual(await stack.storedRepositoryPolicy(template('deep-research')), undefined, 'no grant written either');
  });

  it('two reconciles racing on the same role keep both sets of entries', async () => {
    const manifestA = writeManifest(JSON.stringify({ workspace_templates: ['claude-code', 'seo-agent'] }));
    const manifestB = writeManifest(JSON.stringify({ workspace_templates: ['codex', 'google-adk'] }));
    const [a, b] = await Promise.all([
      run({ mode: 'reconcile', manifest: manifestA, 'extra-repositories': '' }),
      run({ mode: 'reconcile', manifest: manifestB, 'extra-repositories': '' }),
    ]);
    assert.equal(a.exitCode, 0, a.log);
    assert.equal(b.exitCode, 0, b.log);
    const allowlist = (await stack.storedAllowlist()) as { Statement: { Resource: string[] }[] };
    for (const name of ['seo-agent', 'google-adk']) assert.ok(allowlist.Statement[1].Resource.includes(repoArn(template(name))), `${name} kept`);
  });

  const badManifests: [string, () => Record<string, string>, RegExp][] = [
    [
      'a missing file',
      () => ({ manifest: join(ROOT, '.stack', 'nonexistent', 'manifest.json') }),
      /^manifest: cannot read ".*nonexistent\/manifest.json" \(ENOENT\)/,
    ],
    ['a file that is not JSON', () => ({ manifest: writeManifest('workspace_templates:\n  - codex\n') }), /^manifest: ".*manifest.json" is not valid JSON/],
    ['a missing key', () => ({ manifest: writeManifest('{"templates": []}') }), /^manifest: ".*" has no "workspace_templates"\. Set manifest-key/],
    [
      'a key that is not a list',
      () => ({ manifest: writeManifest('{"workspace_templates": {"codex": {}}}') }),
      /^manifest: "workspace_templates" in ".*" is object, not a list of templates/,
    ],
    [
      'an entry of the wrong shape',
      () => ({ manifest: writeManifest('{"workspace_templates": ["codex", 7]}') }),
      /^manifest: entry 1 of "workspace_templates" .* \(7\) is neither a string nor an object/,
    ],
    [
      'an object entry without the field the template uses',
      () => ({ manifest: writeManifest('{"workspace_templates": [{"id": "codex"}]}') }),
      /^manifest: entry 0 .* has no string field "name", which repository-template/,
    ],
    [
      'an entry that maps to an invalid name',
      () => ({ manifest: writeManifest('{"workspace_templates": ["Claude Code"]}') }),
      /^manifest: entry 0 .* maps to "molecule-ai\/workspace-template-Claude Code", which is not a valid ECR repository name/,
    ],
    [
      'a nested key',
      () => ({ manifest: writeManifest('{"spec": {"templates": ["codex"]}}'), 'manifest-key': 'spec.missing' }),
      /^manifest: ".*" has no "spec.missing"/,
    ],
  ];
  for (const [what, extra, message] of badManifests) {
    it(`stops on ${what}, naming the file and what was expected`, async () => {
      const before = await stack.storedAllowlist();
      const refused = await run({ mode: 'reconcile', ...extra() });
      assert.equal(refused.exitCode, 1);
      assert.deepEqual(errorLines(refused.log).length, 1, refused.log);
      assert.match(errorLines(refused.log)[0], message);
      assert.deepEqual(await stack.storedAllowlist(), before);
    });
  }

  it('accepts a nested manifest key and object entries with any field', async () => {
    const manifest = writeManifest(JSON.stringify({ spec: { templates: [{ repo: 'workspace-template-codex' }] } }));
    const verified = await run({ manifest, 'manifest-key': 'spec.templates', 'repository-template': 'molecule-ai/{repo}', 'extra-repositories': '' });
    assert.equal(verified.exitCode, 0, verified.log);
    assert.match(verified.log, /molecule-ai\/workspace-template-codex\s+ok\s+allowed/);
  });
});

const cli = (args: string[]) => runCli(args, { cwd: ROOT, env: stack.env });

describe('CLI: the same checks from a terminal (moto)', () => {
  useIncidentMoto();
  const flags = (): string[] => cliFlags(presets.verifyManifest);

  it('exits 2 on drift, 0 in sync, 1 on error; plan writes nothing; --json is the report', async () => {
    const drift = await cli(['verify', ...flags()]);
    assert.equal(drift.code, 2, drift.stderr);
    assert.match(drift.stdout, /DRIFT: molecule-ai\/molecule-platform-agent, .*workspace-template-deep-research/);

    const before = await stack.storedAllowlist();
    const plan = await cli(['plan', ...flags()]);
    assert.equal(plan.code, 2, plan.stderr);
    assert.match(plan.stdout, /^Plan: 1 grant\(s\) to add, 4 allowlist ARN\(s\) to add/);
    assert.deepEqual(await stack.storedAllowlist(), before);

    const applied = await cli(['reconcile', ...flags()]);
    assert.equal(applied.code, 0, applied.stderr);

    const json = await cli(['verify', ...flags(), '--json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(report.missing, []);
    assert.equal(report.repositories.length, EXPECTED.length);

    const insync = await cli(['plan', ...flags()]);
    assert.equal(insync.code, 0, insync.stdout);

    const error = await cli(['verify', ...flags(), '--aws-region', 'nowhere']);
    assert.equal(error.code, 1);
    assert.match(error.stderr, /aws-region: "nowhere" is not an AWS region/);
    assert.equal((await cli(['frobnicate'])).code, 1);
    const help = await cli(['--help']);
    assert.match(help.stdout, /^Usage: publish-image <verify\|reconcile\|plan>/);
  });
});
