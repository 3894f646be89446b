// Hostile action inputs, through the real dist/index.js against moto: grants that are not pulls,
// ARNs of another partition, and inputs that try to become workflow commands or flood the log.
// Each is refused with one short, one-line error naming the input, before anything is written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INCIDENT_ALLOWLIST, PLATFORM_AGENT, STAGING_ACCOUNT, STAGING_ROLE_ARN, manifestWorkspace, presets, runAction } from '../../stack/fixture.js';
import { FORGED, assertNoWrite, assertOneError, useStoredMoto } from './stack.js';

const ws = manifestWorkspace();

const GOV_ROLE = `arn:aws-us-gov:iam::${STAGING_ACCOUNT}:role/MoleculeTenantEICRole-staging`;
const CN_ROLE = `arn:aws-cn:iam::${STAGING_ACCOUNT}:role/MoleculeTenantEICRole-staging`;

const verify = presets.verifyRepository;
const reconcile = { ...presets.reconcileManifest, manifest: 'manifest.json', 'extra-repositories': '' };
const publish = presets.publish;

type Case = [string, Record<string, string>, RegExp];
const cases: Case[] = [
  // Issue 10.2: the grant may only let the puller read.
  [
    'ecr:SetRepositoryPolicy as a pull action',
    { ...publish, 'pull-actions': 'ecr:SetRepositoryPolicy' },
    /^pull-actions: "ecr:SetRepositoryPolicy" is not an ECR action that reads images.*ecr:BatchGetImage/,
  ],
  [
    'ecr:DeleteRepository as a pull action',
    { ...publish, 'pull-actions': 'ecr:BatchGetImage,ecr:DeleteRepository' },
    /^pull-actions: "ecr:DeleteRepository" is not an ECR action that reads images/,
  ],
  ['iam:PassRole as a pull action', { ...reconcile, 'pull-actions': 'iam:PassRole' }, /^pull-actions: "iam:PassRole" is not an ECR action that reads images/],
  ['ecr:* as a pull action', { ...reconcile, 'pull-actions': 'ecr:*' }, /^pull-actions: "ecr:\*" is not an ECR action/],
  ['* as a pull action', { ...verify, 'pull-actions': '*' }, /^pull-actions: "\*" is not an ECR action/],
  [
    'ecr:PutImage beside the pull actions',
    { ...publish, 'pull-actions': 'ecr:BatchGetImage,ecr:GetDownloadUrlForLayer,ecr:BatchCheckLayerAvailability,ecr:PutImage' },
    /^pull-actions: "ecr:PutImage"/,
  ],
  [
    'a layer upload action on its own line',
    { ...reconcile, 'pull-actions': 'ecr:BatchGetImage\necr:InitiateLayerUpload' },
    /^pull-actions: "ecr:InitiateLayerUpload"/,
  ],
  ['a prefix wildcard action', { ...publish, 'pull-actions': 'ecr:Get*' }, /^pull-actions: "ecr:Get\*"/],
  ['sts:AssumeRole as a pull action', { ...reconcile, 'pull-actions': 'ecr:BatchGetImage,sts:AssumeRole' }, /^pull-actions: "sts:AssumeRole"/],
  ['a pull action list of separators only', { ...verify, 'pull-actions': ', ,\n' }, /^pull-actions: empty/],
  [
    'a forged error command as a pull action',
    { ...reconcile, 'pull-actions': `ecr:BatchGetImage${FORGED.error}` },
    /^pull-actions: "::error::forged" is not an ECR action/,
  ],
  [
    'a legacy command in a pull action',
    { ...publish, 'pull-actions': `ecr:SetRepositoryPolicy${FORGED.legacy}` },
    /^pull-actions: "ecr:SetRepositoryPolicy## \[error\]forged"/,
  ],
  // Issue 10.4: every ARN in the region's partition.
  [
    'an aws-cn region with an aws staging role',
    { ...verify, 'aws-region': 'cn-north-1' },
    /^staging-role-arn: .* is in partition "aws", but aws-region cn-north-1 is in aws-cn.*Use arn:aws-cn:/,
  ],
  [
    'an aws-cn root principal with a commercial region',
    { ...reconcile, 'pull-principals': `arn:aws-cn:iam::${STAGING_ACCOUNT}:root` },
    /^pull-principals: .* is in partition "aws-cn", but aws-region us-east-2 is in aws/,
  ],
  [
    'an aws role principal with an aws-cn region',
    { ...reconcile, 'aws-region': 'cn-northwest-1', 'staging-role-arn': CN_ROLE, 'staging-assume-role-arn': '', 'pull-principals': STAGING_ROLE_ARN },
    /^pull-principals: .* is in partition "aws", but aws-region cn-northwest-1 is in aws-cn/,
  ],
  [
    'a GovCloud region with an aws assume role',
    { ...verify, 'aws-region': 'us-gov-west-1', 'staging-role-arn': GOV_ROLE },
    /^staging-assume-role-arn: .* is in partition "aws", but aws-region us-gov-west-1 is in aws-us-gov/,
  ],
  [
    'a GovCloud staging role with a commercial region',
    { ...verify, 'staging-role-arn': GOV_ROLE },
    /^staging-role-arn: .* is in partition "aws-us-gov", but aws-region us-east-2 is in aws/,
  ],
  [
    'an aws-cn organization reader with a commercial region',
    { ...verify, 'organization-assume-role-arn': `arn:aws-cn:iam::111122223333:role/Reader` },
    /^organization-assume-role-arn: .* is in partition "aws-cn"/,
  ],
  [
    'publish to cn-north-1 granting an aws root',
    { ...publish, 'aws-region': 'cn-north-1', 'staging-role-arn': '', 'pull-principals': `arn:aws:iam::${STAGING_ACCOUNT}:root` },
    /^pull-principals: .* is in partition "aws", but aws-region cn-north-1 is in aws-cn/,
  ],
  ['an ISO region with an aws staging role', { ...verify, 'aws-region': 'us-iso-east-1' }, /^staging-role-arn: .* but aws-region us-iso-east-1 is in aws-iso/],
  // Inputs that try to become workflow commands, or flood the log.
  [
    'a repository carrying an error command',
    { ...verify, repository: `${PLATFORM_AGENT}${FORGED.error}` },
    /^repository: "molecule-ai\/molecule-platform-agent\\u000a::error::forged" is not a valid ECR repository name/,
  ],
  [
    'a 100,000-character repository name',
    { ...verify, repository: 'x'.repeat(100_000) },
    /^repository: "x+… \(\d+ more characters\)" is not a valid ECR repository name/,
  ],
  ['a tag that masks a value', { ...publish, tags: `v1${FORGED.mask}` }, /^tags: "::add-mask::x" is not a valid image tag/],
  ['a tag in the legacy command form', { ...publish, tags: FORGED.legacy }, /^tags: "## \[error\]forged" is not a valid image tag/],
  [
    'a Sid that saves state',
    { ...publish, 'policy-sid': `Pub${FORGED.state}` },
    /^policy-sid: "Pub\\u000a::save-state name=docker-config::\/etc" must be 1-100 letters and digits/,
  ],
  [
    'a staging role ARN that saves state',
    { ...verify, 'staging-role-arn': `${STAGING_ROLE_ARN}${FORGED.state}` },
    /^staging-role-arn: ".*\\u000a::save-state.*" is not a role ARN/,
  ],
  [
    'a region carrying an error command',
    { ...verify, 'aws-region': `us-east-2${FORGED.error}` },
    /^aws-region: "us-east-2\\u000a::error::forged" is not an AWS region name/,
  ],
  [
    'a 5,000-digit registry ID',
    { ...verify, 'registry-id': '1'.repeat(5000) },
    /^registry-id: "1+… \(\d+ more characters\)" is not a 12-digit AWS account ID\.$/,
  ],
  [
    'on-extra with a CRLF command',
    { ...reconcile, 'on-extra': `warn${FORGED.crlf}` },
    /^on-extra: "warn\\u000d\\u000a::error::forged-crlf" is not one of warn, fail, ignore\.$/,
  ],
  [
    'a mode that sets an output',
    { ...verify, mode: `verify${FORGED.output}` },
    /^mode: "verify\\u000a::set-output name=drift::false" is not one of publish, verify, reconcile\.$/,
  ],
  [
    'a 10,000-digit propagation timeout',
    { ...reconcile, 'propagation-timeout': '9'.repeat(10_000) },
    /^propagation-timeout: "9+… \(\d+ more characters\)" is not a number of seconds/,
  ],
  [
    'an extra repository that climbs out',
    { ...reconcile, 'extra-repositories': 'molecule-ai/x,../../etc' },
    /^extra-repositories: "\.\.\/\.\.\/etc" is not a valid ECR repository name/,
  ],
  [
    'a policy name that is HTML',
    { ...verify, 'staging-policy-name': '<script>alert(1)</script>' },
    /^staging-policy-name: "<script>alert\(1\)<\/script>" is not an IAM policy name/,
  ],
  [
    'a pull principal line that is an error command',
    { ...reconcile, 'pull-principals': `${STAGING_ACCOUNT}${FORGED.error}` },
    /^pull-principals: "::error::forged" is not an account ID/,
  ],
  [
    'a wildcard role as pull principal',
    { ...reconcile, 'pull-principals': `arn:aws:iam::${STAGING_ACCOUNT}:role/*` },
    /^pull-principals: ".*role\/\*" would let anyone pull/,
  ],
  [
    'a manifest key in the legacy command form',
    { ...reconcile, 'manifest-key': `workspace_templates${FORGED.legacy}` },
    /^manifest: "manifest.json" has no "workspace_templates## \[error\]forged"\. Set manifest-key/,
  ],
  [
    'a repository template carrying an error command',
    { ...reconcile, 'repository-template': `{name}${FORGED.error}` },
    /^manifest: entry 0 of "workspace_templates" in "manifest.json" \("claude-code"\) maps to "claude-code\\u000a::error::forged", which is not a valid ECR repository name/,
  ],
  ['a build-arg line that is an error command', { ...publish, 'build-args': `A=1${FORGED.error}` }, /^build-args: "::error::forged" must be NAME=value\.$/],
  ['a label that sets an output', { ...publish, labels: 'a=b\n::set-output name=x::y' }, /^labels: "::set-output name=x::y" must be name=value\.$/],
  ['a platform that stops commands', { ...publish, platforms: `linux/amd64${FORGED.stop}` }, /^platforms: "::stop-commands::pwned" is not a platform/],
  [
    'a tag mutability that is HTML',
    { ...publish, 'image-tag-mutability': '<img src=x onerror=alert(1)>' },
    /^image-tag-mutability: "<img src=x onerror=alert\(1\)>" is not one of/,
  ],
];

describe(`hostile action inputs: ${cases.length} cases through dist/index.js, each one short error and no write`, () => {
  const stack = useStoredMoto({ granted: [PLATFORM_AGENT], allowlist: INCIDENT_ALLOWLIST });

  it('covers at least 40 cases in all three modes', () => {
    assert.ok(cases.length >= 40);
    assert.deepEqual(new Set(cases.map(([, inputs]) => inputs.mode.split('\n')[0])), new Set(['publish', 'verify', 'reconcile']));
  });

  for (const [what, inputs, message] of cases) {
    it(`refuses ${what}`, async () => {
      stack.proxy.clear();
      const run = await runAction(
        { 'registry-id': '153263036946', ...inputs },
        { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, GITHUB_WORKSPACE: ws, DOCKER_HOST: 'unix:///nonexistent/docker.sock', AWS_MAX_ATTEMPTS: '2' },
        { timeoutMs: 60_000 },
      );
      assertOneError(run, message);
      await assertNoWrite(run, stack.endpoint, stack.state, stack.proxy);
    });
  }
});
