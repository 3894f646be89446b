// Every bad input, in every mode, through the real dist/index.js: exit non-zero with exactly one
// error that names the input or permission and the fix, and nothing changed in moto. (Without a
// reachable Docker daemon here, nothing can reach the registry either.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startFaultProxy, type FaultRule } from '../../stack/fault-proxy.js';
import { helloContext } from '../../stack/fixtures.js';
import { EXPECTED, INCIDENT_ALLOWLIST, PLATFORM_AGENT, errorLines, presets, runAction, useMoto, writeManifest } from '../../stack/fixture.js';

const verify = presets.verifyRepository;
const reconcile = { ...presets.reconcileManifest, 'extra-repositories': '' };
const publish = presets.publish;

type Case = [string, Record<string, string>, RegExp, { env?: NodeJS.ProcessEnv; faults?: FaultRule[] }?];
const cases: Case[] = [
  ['an unknown mode', { ...verify, mode: 'deploy' }, /^mode: "deploy" is not one of publish, verify, reconcile\.$/],
  ['a malformed region', { ...verify, 'aws-region': 'us-east' }, /^aws-region: "us-east" is not an AWS region name/],
  ['no region at all', verify, /^aws-region: not set\. Give the registry region/, { env: { AWS_REGION: '' } }],
  ['a short account ID', { ...verify, 'registry-id': '15326303694' }, /^registry-id: "15326303694" is not a 12-digit AWS account ID\.$/],
  ['an uppercase repository name', { ...publish, repository: 'Molecule-AI/agent' }, /^repository: "Molecule-AI\/agent" is not a valid ECR repository name/],
  ['publish without a repository', { ...publish, repository: '' }, /^repository: required in publish mode/],
  ['a tag with a colon', { ...publish, tags: 'agent:v1' }, /^tags: "agent:v1" is not a valid image tag/],
  ['a tag starting with a dot', { ...publish, tags: '.v1' }, /^tags: "\.v1" is not a valid image tag/],
  ['a build-arg without =', { ...publish, 'build-args': 'VERSION' }, /^build-args: "VERSION" must be NAME=value\.$/],
  ['a platform without an OS', { ...publish, platforms: 'arm64' }, /^platforms: "arm64" is not a platform such as linux\/amd64\.$/],
  ['the principal *', { ...publish, 'pull-principals': '*' }, /^pull-principals: "\*" would let anyone pull/],
  [
    'a user ARN as principal',
    { ...publish, 'pull-principals': 'arn:aws:iam::004947743811:user/alice' },
    /^pull-principals: .* is not an account ID, an account root ARN .* or a role ARN/,
  ],
  ['a wildcard pull action', { ...publish, 'pull-actions': 'ecr:*' }, /^pull-actions: "ecr:\*" is not an ECR action/],
  ['a Sid with dashes', { ...publish, 'policy-sid': 'cross-account' }, /^policy-sid: "cross-account" must be 1-100 letters and digits/],
  ['a staging role that is a user', { ...verify, 'staging-role-arn': 'arn:aws:iam::004947743811:user/x' }, /^staging-role-arn: .* is not a role ARN/],
  ['an assume-role ARN that is a name', { ...verify, 'staging-assume-role-arn': 'Reader' }, /^staging-assume-role-arn: "Reader" is not a role ARN/],
  ['a policy name with a space', { ...verify, 'staging-policy-name': 'Pull List' }, /^staging-policy-name: "Pull List" is not an IAM policy name/],
  ['on-extra explode', { ...reconcile, 'on-extra': 'explode' }, /^on-extra: "explode" is not one of warn, fail, ignore\.$/],
  ['prune yes', { ...reconcile, prune: 'yes' }, /^prune: "yes" is not a boolean\. Use true or false\.$/],
  ['a propagation timeout in minutes', { ...reconcile, 'propagation-timeout': '2m' }, /^propagation-timeout: "2m" is not a number of seconds/],
  [
    'an invalid extra repository',
    { ...reconcile, 'extra-repositories': 'Platform Agent' },
    /^extra-repositories: "Platform Agent" is not a valid ECR repository name/,
  ],
  ['verify without a staging role', { ...verify, 'staging-role-arn': '' }, /^staging-role-arn: required in verify mode/],
  ['verify without repository or manifest', { ...verify, repository: '' }, /^repository \/ manifest: verify needs one of them/],
  ['reconcile without the allowlist policy name', { ...reconcile, 'staging-policy-name': '' }, /^staging-policy-name: required in reconcile mode/],
  ['a manifest that does not exist', { ...reconcile, manifest: 'platform/manifest.json' }, /^manifest: cannot read "platform\/manifest.json" \(ENOENT\)/],
  ['a manifest that is YAML', { ...reconcile, manifest: writeManifest('workspace_templates: [codex]') }, /^manifest: ".*" is not valid JSON/],
  ['a manifest without the key', { ...reconcile, manifest: writeManifest('{"templates": ["codex"]}') }, /^manifest: ".*" has no "workspace_templates"/],
  [
    'a manifest entry that is a number',
    { ...reconcile, manifest: writeManifest('{"workspace_templates": [42]}') },
    /^manifest: entry 0 of "workspace_templates" .* is neither a string nor an object\.$/,
  ],
  [
    'a template that maps to an invalid name',
    { ...reconcile, 'repository-template': 'Molecule/{name}' },
    /^manifest: entry 0 .* maps to "Molecule\/claude-code", which is not a valid ECR repository name/,
  ],
  [
    'a Dockerfile that does not exist',
    { ...publish, context: helloContext(), file: 'docker/Dockerfile.prod' },
    /^file: "docker\/Dockerfile.prod" does not exist/,
  ],
  ['a build context that does not exist', { ...publish, context: 'services/agent' }, /^context: "services\/agent" is not a directory/],
  [
    'no Docker daemon',
    { ...publish, context: helloContext() },
    /^Docker daemon: cannot reach it at unix:\/\/\/nonexistent\/docker.sock .*Start dockerd/,
    { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } },
  ],
  [
    'denied ecr:GetRepositoryPolicy',
    verify,
    /^ecr:GetRepositoryPolicy was denied for the current credentials .*Allow ecr:GetRepositoryPolicy/,
    { faults: [{ operation: 'GetRepositoryPolicy', fault: 'access-denied' }] },
  ],
  [
    'denied sts:AssumeRole',
    verify,
    /^sts:AssumeRole was denied for the current credentials \(on arn:aws:iam::004947743811:role\/PublishImageStagingReader\)/,
    { faults: [{ operation: 'AssumeRole', fault: 'access-denied' }] },
  ],
  [
    'denied iam:GetRolePolicy',
    verify,
    /^iam:GetRolePolicy was denied for assumed role arn:aws:iam::004947743811:role\/PublishImageStagingReader/,
    { faults: [{ operation: 'GetRolePolicy', fault: 'access-denied' }] },
  ],
  [
    'denied ecr:SetRepositoryPolicy',
    reconcile,
    /^ecr:SetRepositoryPolicy was denied for the current credentials .* Nothing was changed\.$/,
    { faults: [{ operation: 'SetRepositoryPolicy', fault: 'access-denied' }] },
  ],
  [
    'a malformed repository policy stored in AWS',
    verify,
    /^the repository policy stored on molecule-ai\/molecule-platform-agent is malformed: statement Broken has Effect "Maybe"/,
    { faults: [{ operation: 'GetRepositoryPolicy', fault: 'corrupt-policy' }] },
  ],
  [
    'an identity policy that is not JSON',
    verify,
    /^inline policy WorkspaceTemplatePrimaryECRPull of role MoleculeTenantEICRole-staging is not valid JSON/,
    { faults: [{ operation: 'GetRolePolicy', fault: 'corrupt-policy' }] },
  ],
];

describe(`bad inputs: ${cases.length} ways to get it wrong, each refused with one clear message`, () => {
  const stack = useMoto({
    once: true,
    snapshot: true,
    proxy: startFaultProxy,
    repositories: EXPECTED,
    granted: [PLATFORM_AGENT],
    allowlist: INCIDENT_ALLOWLIST,
  });

  it('covers at least 25 cases across all modes', () => {
    assert.ok(cases.length >= 25);
    const modes = new Set(cases.map(([, inputs]) => inputs.mode));
    for (const mode of ['publish', 'verify', 'reconcile']) assert.ok(modes.has(mode), mode);
  });

  for (const [what, inputs, message, options] of cases) {
    it(`refuses ${what}`, async () => {
      stack.proxy.setRules(options?.faults ?? []);
      const run = await runAction(
        { 'registry-id': '153263036946', ...inputs },
        { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, DOCKER_HOST: 'unix:///nonexistent/docker.sock', AWS_MAX_ATTEMPTS: '2', ...options?.env },
        { timeoutMs: 60_000 },
      );
      stack.proxy.setRules([]);
      assert.notEqual(run.exitCode, 0);
      const errors = errorLines(run.log);
      assert.equal(errors.length, 1, `exactly one error:\n${run.log}`);
      assert.match(errors[0], message);
      assert.deepEqual(await stack.writableState(), stack.state, 'nothing changed in moto');
    });
  }
});
