import { PULL_NEEDS } from '../domain/checks/judge.js';
import { UserError } from '../errors.js';
import { parseBuildContexts, parseSecretEnvs, parseSecretFiles, parseSecrets, parseSsh } from '../domain/build/secrets.js';
import { readExclusionFilters, tagInputProblem } from '../domain/build/tags.js';
import type { BuildInputs } from '../domain/build/inputs.js';
import type { Mode, OnExtra } from '../domain/results.js';
import { quoted } from '../util/inert.js';
import { ACCOUNT_ID, accountOf, partitionOfRegion, principalArn, repositoryNameProblem } from '../domain/arn.js';
import { parsePullers, type PullerSettings } from './pullers.js';
import { parseImages } from './images.js';
import type { ImageReference } from '../domain/image/status.js';

/** `proposed-layer`, as given: the puller (for an allowlist) is resolved with the pullers. */
export type ProposedLayerInput = { layer: 'allowlist'; puller: string | undefined } | { layer: 'repository'; repository: string } | { layer: 'registry' };

/** Defaults of every input; action.yml declares the same (a test keeps them equal). */
export const INPUT_DEFAULTS = {
  mode: 'publish',
  'aws-region': '',
  'registry-id': '',
  repository: '',
  context: '.',
  file: '',
  'build-args': '',
  labels: '',
  tags: '',
  target: '',
  platforms: '',
  'cache-from': '',
  'cache-to': '',
  'no-cache': 'false',
  push: 'true',
  provenance: 'false',
  secrets: '',
  'secret-files': '',
  'secret-envs': '',
  ssh: '',
  'build-contexts': '',
  'create-repository': 'false',
  'image-tag-mutability': 'IMMUTABLE_WITH_EXCLUSION',
  'image-tag-mutability-exclusion-filters': 'latest',
  'scan-on-push': 'true',
  'pull-principals': '',
  'pull-actions': 'ecr:BatchGetImage,ecr:GetDownloadUrlForLayer,ecr:BatchCheckLayerAvailability',
  'policy-sid': 'PublishImageCrossAccountPull',
  'staging-role-arn': '',
  'staging-policy-name': '',
  'staging-assume-role-arn': '',
  'staging-external-id': '',
  pullers: '',
  'replica-assume-role-arns': '',
  proposed: '',
  'proposed-layer': '',
  'organization-assume-role-arn': '',
  manifest: '',
  'manifest-key': 'workspace_templates',
  'repository-template': '{name}',
  'extra-repositories': '',
  'on-extra': 'warn',
  prune: 'false',
  'dry-run': 'false',
  simulate: 'false',
  'propagation-timeout': '120',
  images: '',
  'wait-for-replication': '0',
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;
export type { BuildInputs, Mode, OnExtra };

export interface Inputs {
  mode: Mode;
  region: string;
  registryId: string | undefined;
  repository: string | undefined;
  build: BuildInputs;
  createRepository: boolean;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';
  /** For a repository this action creates: WILDCARD filters of the tags excluded from the mutability setting. */
  imageTagMutabilityExclusionFilters: string[];
  scanOnPush: boolean;
  pullPrincipals: string[];
  pullActions: string[];
  policySid: string;
  stagingRoleArn: string | undefined;
  stagingPolicyName: string | undefined;
  stagingAssumeRoleArn: string | undefined;
  stagingExternalId: string | undefined;
  /** `pullers`: several pulling roles (undefined when not given; the staging-* inputs are then the one puller). */
  pullers: PullerSettings[] | undefined;
  /** Roles that read replica registries in other accounts, one per account. */
  replicaAssumeRoleArns: string[];
  /** verify: a file in the workspace holding a proposed state (a policy document, or a Terraform plan in JSON). */
  proposed: string | undefined;
  /** Which layer a lone policy document replaces: allowlist[:puller], repository:NAME or registry. */
  proposedLayer: ProposedLayerInput | undefined;
  /** A role in the organization's management (or delegated administrator) account, to read SCPs, RCPs and OU paths. */
  organizationAssumeRoleArn: string | undefined;
  manifest: string | undefined;
  manifestKey: string;
  repositoryTemplate: string;
  extraRepositories: string[];
  onExtra: OnExtra;
  prune: boolean;
  dryRun: boolean;
  simulate: boolean;
  /** How long to wait for IAM/ECR to see a change (a new principal, a policy just written). */
  propagationTimeoutMs: number;
  /** `images`: per repository, the tags or digests its cells judge (none for a repository: its newest image, said). */
  images: Map<string, ImageReference[]>;
  /** publish: how long to wait for the pushed digest's replicas where pullers pull (0: not at all). */
  waitForReplicationMs: number;
}

// ECR's own rules (CreateRepository API reference).
const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const PARTITION = '(aws(?:-cn|-us-gov|-iso(?:-[a-z])?)?)';
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:role\\/(?:[\\w+=,.@-]+\\/)*[\\w+=,.@-]{1,64}$`);
const ROOT_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:root$`);
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const SID = /^[A-Za-z0-9]{1,100}$/;

/** What a grant may give the puller: reading an image. */
export const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] as const;
/** Read-only metadata some pullers need to pick a tag (Flux, Argo CD Image Updater, Renovate); they reveal nothing a pull does not. */
export const READ_ONLY_ACTIONS = ['ecr:DescribeImages', 'ecr:ListImages', 'ecr:DescribeRepositories'] as const;
const GRANTABLE_ACTIONS = new Map<string, string>([...PULL_ACTIONS, ...READ_ONLY_ACTIONS].map((action) => [action.toLowerCase(), action]));

/**
 * An account ID with fewer than 12 digits, bare or in an ARN, most often lost its leading zeros on
 * the way (YAML reads an unquoted 004947743811 as the number 4947743811): said, with the fix. Never
 * padded here: a guessed account would grant or judge another account.
 */
export function lostZerosHint(value: string): string {
  const digits = /^\d+$/.test(value) ? value : /^arn:[^:]*:iam::(\d+):/.exec(value)?.[1];
  if (!digits || digits.length >= 12) return '';
  return ` Its account ID ${digits} has ${digits.length} digits, not 12: if it lost leading zeros (an unquoted 004947743811 in YAML becomes 4947743811), write it in full and quote it, e.g. "${digits.padStart(12, '0')}".`;
}

/** Refuses an ARN of another partition than the region's, naming the input and the fix. */
export function assertPartition(input: string, arn: string, region: string): void {
  const partition = partitionOfRegion(region);
  const found = arn.split(':')[1];
  if (found !== partition) {
    throw new UserError(
      `${input}: ${quoted(arn)} is in partition ${quoted(found ?? '', 20)}, but aws-region ${region} is in ${partition}, and AWS grants nothing across partitions. Use arn:${partition}:… ARNs, or fix aws-region.`,
    );
  }
}

/** publish pushes to one repository: the input is required (checked here once, and narrowed in settings.ts). */
export function publishRepository(repository: string | undefined): string {
  if (!repository) throw new UserError('repository: required in publish mode. Name the ECR repository, e.g. `repository: team/service`.');
  return repository;
}

export function assertRepositoryName(name: string, where: string): void {
  const problem = repositoryNameProblem(name);
  if (problem) throw new UserError(`${where}: ${quoted(name)} is not a valid ECR repository name: it ${problem}.`);
}

/**
 * A pull principal must name an account or a role; anything broader would be a public grant. With
 * `region`, an account ID becomes the root ARN of the region's partition and an ARN of another
 * partition is refused.
 */
export function readPullPrincipal(value: string, region?: string): string {
  if (value === '*' || value.includes('*')) {
    throw new UserError(`pull-principals: ${quoted(value)} would let anyone pull. Name the staging account ID or the pulling role's ARN instead.`);
  }
  if (ACCOUNT_ID.test(value)) return principalArn(value, region ? partitionOfRegion(region) : 'aws');
  if (ROOT_ARN.test(value) || ROLE_ARN.test(value)) {
    if (region) assertPartition('pull-principals', value, region);
    return value;
  }
  throw new UserError(
    `pull-principals: ${quoted(value)} is not an account ID, an account root ARN (arn:aws:iam::ID:root) or a role ARN (arn:aws:iam::ID:role/NAME).${lostZerosHint(value)}`,
  );
}

export function splitList(value: string, separators: RegExp = /[,\n]/): string[] {
  return value
    .split(separators)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function splitLines(value: string): string[] {
  return splitList(value, /\n/);
}

function readBoolean(name: InputName, value: string): boolean {
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  throw new UserError(`${name}: ${quoted(value)} is not a boolean. Use true or false.`);
}

function readSeconds(name: InputName, value: string): number {
  if (!/^\d{1,4}$/.test(value)) throw new UserError(`${name}: ${quoted(value)} is not a number of seconds (0-9999).`);
  return Number(value);
}

/** Seconds, at most an hour: ECR says most copies finish within 30 minutes; longer is a problem to see, not wait out. */
function readWaitForReplication(value: string): number {
  const seconds = readSeconds('wait-for-replication', value);
  if (seconds > 3600) throw new UserError(`wait-for-replication: ${seconds} seconds; the limit is 3600. Use 0 (do not wait) to 3600.`);
  return seconds;
}

function readChoice<T extends string>(name: InputName, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UserError(`${name}: ${quoted(value)} is not one of ${choices.join(', ')}.`);
}

function optional(value: string): string | undefined {
  return value === '' ? undefined : value;
}

function checkEach(name: InputName, values: string[], problem: (value: string) => string | undefined): void {
  for (const value of values) {
    const found = problem(value);
    if (found) throw new UserError(`${name}: ${quoted(value)} ${found}`);
  }
}

/** `allowlist`, `allowlist:<puller>`, `repository:<name>` or `registry`. */
function readProposedLayer(value: string | undefined): ProposedLayerInput | undefined {
  if (value === undefined) return undefined;
  if (value === 'registry') return { layer: 'registry' };
  if (value === 'allowlist') return { layer: 'allowlist', puller: undefined };
  if (value.startsWith('allowlist:') && value.length > 'allowlist:'.length) return { layer: 'allowlist', puller: value.slice('allowlist:'.length) };
  if (value.startsWith('repository:')) {
    const repository = value.slice('repository:'.length);
    assertRepositoryName(repository, 'proposed-layer');
    return { layer: 'repository', repository };
  }
  throw new UserError(
    `proposed-layer: ${quoted(value)} is not a layer. Use allowlist (or allowlist:<puller name>), repository:<name> or registry; leave it unset for a Terraform plan.`,
  );
}

/**
 * Reads every input once, validates it, and returns typed values. `get` returns the raw input
 * ('' when unset); action.yml defaults are applied here too, so the CLI behaves the same.
 */
export function readInputs(get: (name: InputName) => string, env: NodeJS.ProcessEnv = process.env): Inputs {
  const raw = (name: InputName): string => {
    const value = get(name).trim();
    return value === '' ? INPUT_DEFAULTS[name] : value;
  };

  const mode = readChoice('mode', raw('mode'), ['publish', 'verify', 'reconcile'] as const);

  const region = raw('aws-region') || env.AWS_REGION || env.AWS_DEFAULT_REGION || '';
  if (!region) throw new UserError('aws-region: not set. Give the registry region, e.g. `aws-region: us-east-2`.');
  if (!REGION.test(region)) throw new UserError(`aws-region: ${quoted(region)} is not an AWS region name such as us-east-2.`);

  const registryId = optional(raw('registry-id'));
  if (registryId && !ACCOUNT_ID.test(registryId)) {
    // Already says the rule a lost zero breaks (a 12-digit ID); its wording is pinned as it is.
    throw new UserError(`registry-id: ${quoted(registryId)} is not a 12-digit AWS account ID.`);
  }

  const repository = optional(raw('repository'));
  if (repository) assertRepositoryName(repository, 'repository');
  if (mode === 'publish') publishRepository(repository);

  const tags = splitList(raw('tags'));
  checkEach('tags', tags, tagInputProblem);

  const buildArgs = splitLines(raw('build-args'));
  checkEach('build-args', buildArgs, (arg) => (/^[A-Za-z_][A-Za-z0-9_]*=/.test(arg) ? undefined : 'must be NAME=value.'));
  const labels = splitLines(raw('labels'));
  checkEach('labels', labels, (label) => (/^[^=\s]+=/.test(label) ? undefined : 'must be name=value.'));
  const platforms = splitList(raw('platforms'));
  checkEach('platforms', platforms, (platform) =>
    /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platform) ? undefined : 'is not a platform such as linux/amd64.',
  );

  const pullPrincipals = [...new Set(splitList(raw('pull-principals')).map((value) => readPullPrincipal(value, region)))];
  // Only actions that read: anything else (ecr:SetRepositoryPolicy, ecr:*, iam:PassRole) would be written into the grant.
  const pullActions = [
    ...new Set(
      splitList(raw('pull-actions')).map((action) => {
        const known = GRANTABLE_ACTIONS.get(action.toLowerCase());
        if (known) return known;
        throw new UserError(
          `pull-actions: ${quoted(action)} is not an ECR action that reads images, and a grant may only let the puller read. Use ${PULL_ACTIONS.join(', ')} (the default: leave pull-actions unset), plus ${READ_ONLY_ACTIONS.join(', ')} if a puller lists tags.`,
        );
      }),
    ),
  ];
  if (pullActions.length === 0) throw new UserError('pull-actions: empty. Leave it unset for the three pull actions.');
  // The grant writes pull-actions; a grant without what every docker pull calls lets nobody pull.
  const lacking = PULL_NEEDS.filter((needed) => !pullActions.includes(needed));
  if (lacking.length > 0) {
    throw new UserError(
      `pull-actions: lacks ${lacking.join(' and ')}, which every docker pull calls, so a grant of ${pullActions.join(', ')} lets nobody pull. Add ${lacking.join(' and ')} (or leave pull-actions unset for the three pull actions).`,
    );
  }

  const policySid = raw('policy-sid');
  if (!SID.test(policySid)) throw new UserError(`policy-sid: ${quoted(policySid)} must be 1-100 letters and digits (IAM's Sid rule).`);

  const stagingRoleArn = optional(raw('staging-role-arn'));
  if (stagingRoleArn && !ROLE_ARN.test(stagingRoleArn)) {
    throw new UserError(
      `staging-role-arn: ${quoted(stagingRoleArn)} is not a role ARN such as arn:aws:iam::004947743811:role/NAME.${lostZerosHint(stagingRoleArn)}`,
    );
  }
  const stagingAssumeRoleArn = optional(raw('staging-assume-role-arn'));
  if (stagingAssumeRoleArn && !ROLE_ARN.test(stagingAssumeRoleArn)) {
    throw new UserError(
      `staging-assume-role-arn: ${quoted(stagingAssumeRoleArn)} is not a role ARN such as arn:aws:iam::004947743811:role/NAME.${lostZerosHint(stagingAssumeRoleArn)}`,
    );
  }
  const organizationAssumeRoleArn = optional(raw('organization-assume-role-arn'));
  if (organizationAssumeRoleArn && !ROLE_ARN.test(organizationAssumeRoleArn)) {
    throw new UserError(
      `organization-assume-role-arn: ${quoted(organizationAssumeRoleArn)} is not a role ARN such as arn:aws:iam::111122223333:role/PublishImageOrganizationReader.${lostZerosHint(organizationAssumeRoleArn)}`,
    );
  }
  const stagingPolicyName = optional(raw('staging-policy-name'));
  if (stagingPolicyName && !POLICY_NAME.test(stagingPolicyName)) {
    throw new UserError(`staging-policy-name: ${quoted(stagingPolicyName)} is not an IAM policy name (letters, digits and +=,.@_-).`);
  }
  for (const [input, arn] of [
    ['staging-role-arn', stagingRoleArn],
    ['staging-assume-role-arn', stagingAssumeRoleArn],
    ['organization-assume-role-arn', organizationAssumeRoleArn],
  ] as const) {
    if (arn) assertPartition(input, arn, region);
  }

  const pullersText = get('pullers').trim();
  const pullers =
    pullersText === ''
      ? undefined
      : parsePullers(pullersText, {
          registryRegion: region,
          roleArnProblem: (value) =>
            ROLE_ARN.test(value) ? undefined : `is not a role ARN such as arn:aws:iam::004947743811:role/NAME.${lostZerosHint(value)}`,
          policyNameProblem: (value) => (POLICY_NAME.test(value) ? undefined : 'is not an IAM policy name (letters, digits and +=,.@_-).'),
          regionProblem: (value) =>
            !REGION.test(value)
              ? 'is not an AWS region name such as us-east-2.'
              : partitionOfRegion(value) !== partitionOfRegion(region)
                ? `is in another partition than aws-region ${region}: ECR replicates, and AWS grants, within one partition only.`
                : undefined,
          assertPartition: (input, arn) => assertPartition(input, arn, region),
        });
  if (pullers) {
    const single = (['staging-role-arn', 'staging-policy-name', 'staging-assume-role-arn', 'staging-external-id'] as const).filter(
      (name) => get(name).trim() !== '',
    );
    if (single.length > 0) {
      throw new UserError(
        `pullers / ${single.join(', ')}: both given. The staging-* inputs are the one-puller form of \`pullers\`: move that role into the list (role-arn, policy-name, assume-role-arn, external-id) and remove ${single.join(', ')}.`,
      );
    }
  }
  const replicaAssumeRoleArns = [...new Set(splitList(raw('replica-assume-role-arns')))];
  for (const arn of replicaAssumeRoleArns) {
    if (!ROLE_ARN.test(arn)) {
      throw new UserError(`replica-assume-role-arns: ${quoted(arn)} is not a role ARN such as arn:aws:iam::111122223333:role/NAME.${lostZerosHint(arn)}`);
    }
    assertPartition('replica-assume-role-arns', arn, region);
  }
  const sameAccount = replicaAssumeRoleArns.find((arn, index) => replicaAssumeRoleArns.findIndex((other) => accountOf(other) === accountOf(arn)) !== index);
  if (sameAccount) {
    throw new UserError(`replica-assume-role-arns: two roles in account ${accountOf(sameAccount)}. Give one reader role per destination account.`);
  }

  const proposed = optional(raw('proposed'));
  if (proposed && mode !== 'verify') {
    throw new UserError(
      `proposed: only in verify mode (it judges a change before it is applied; ${mode} acts on what AWS holds now). Use mode: verify, or remove proposed.`,
    );
  }
  const proposedLayer = readProposedLayer(optional(raw('proposed-layer')));
  if (proposedLayer && !proposed) throw new UserError('proposed-layer: given without proposed. Name the file it is the layer of, or remove proposed-layer.');

  const extraRepositories = splitList(raw('extra-repositories'));
  for (const name of extraRepositories) assertRepositoryName(name, 'extra-repositories');

  return {
    mode,
    region,
    registryId,
    repository,
    build: {
      context: raw('context'),
      file: raw('file'),
      buildArgs,
      labels,
      tags,
      target: raw('target'),
      platforms,
      cacheFrom: splitLines(raw('cache-from')),
      cacheTo: splitLines(raw('cache-to')),
      noCache: readBoolean('no-cache', raw('no-cache')),
      push: readBoolean('push', raw('push')),
      provenance: raw('provenance'),
      secrets: parseSecrets(raw('secrets')),
      secretFiles: parseSecretFiles(raw('secret-files')),
      secretEnvs: parseSecretEnvs(raw('secret-envs')),
      ssh: parseSsh(raw('ssh')),
      buildContexts: parseBuildContexts(raw('build-contexts')),
    },
    createRepository: readBoolean('create-repository', raw('create-repository')),
    imageTagMutability: readChoice('image-tag-mutability', raw('image-tag-mutability'), [
      'MUTABLE',
      'IMMUTABLE',
      'IMMUTABLE_WITH_EXCLUSION',
      'MUTABLE_WITH_EXCLUSION',
    ] as const),
    imageTagMutabilityExclusionFilters: readExclusionFilters(raw('image-tag-mutability-exclusion-filters')),
    scanOnPush: readBoolean('scan-on-push', raw('scan-on-push')),
    pullPrincipals,
    pullActions,
    policySid,
    stagingRoleArn,
    stagingPolicyName,
    stagingAssumeRoleArn,
    stagingExternalId: optional(raw('staging-external-id')),
    pullers,
    replicaAssumeRoleArns,
    proposed,
    proposedLayer,
    organizationAssumeRoleArn,
    manifest: optional(raw('manifest')),
    manifestKey: raw('manifest-key'),
    repositoryTemplate: raw('repository-template'),
    extraRepositories,
    onExtra: readChoice('on-extra', raw('on-extra'), ['warn', 'fail', 'ignore'] as const),
    prune: readBoolean('prune', raw('prune')),
    dryRun: readBoolean('dry-run', raw('dry-run')),
    simulate: readBoolean('simulate', raw('simulate')),
    propagationTimeoutMs: readSeconds('propagation-timeout', raw('propagation-timeout')) * 1000,
    images: parseImages(raw('images')),
    waitForReplicationMs: readWaitForReplication(raw('wait-for-replication')) * 1000,
  };
}
