import { PULL_NEEDS } from '../domain/checks/judge.js';
import { UserError } from '../errors.js';
import { parseBuildContexts, parseSecretEnvs, parseSecretFiles, parseSecrets, parseSsh } from '../domain/build/secrets.js';
import { readExclusionFilters, tagInputProblem } from '../domain/build/tags.js';
import type { BuildInputs } from '../domain/build/inputs.js';
import type { Mode, OnExtra } from '../domain/results.js';
import { quoted } from '../util/inert.js';
import { ACCOUNT_ID, accountOf, partitionOfRegion, principalArn, repositoryNameProblem } from '../domain/arn.js';
import { parsePullers, type PullerRules, type PullerSettings } from './pullers.js';
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

/** The typed inputs. publish's repository is checked once here, and the type carries it (settings.ts needs no second check). */
export type Inputs = CommonInputs & ({ mode: 'publish'; repository: string } | { mode: 'verify' | 'reconcile'; repository: string | undefined });

interface CommonInputs {
  region: string;
  registryId: string | undefined;
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

const ROLE_ARN_EXAMPLE = 'arn:aws:iam::004947743811:role/NAME';

function roleArn(name: InputName, example = ROLE_ARN_EXAMPLE) {
  return (value: string): string | undefined => {
    const arn = optional(value);
    if (arn && !ROLE_ARN.test(arn)) throw new UserError(`${name}: ${quoted(arn)} is not a role ARN such as ${example}.${lostZerosHint(arn)}`);
    return arn;
  };
}

function list(name: InputName, split: (value: string) => string[], problem: (value: string) => string | undefined) {
  return (value: string): string[] => {
    const values = split(value);
    checkEach(name, values, problem);
    return values;
  };
}

const boolean = (name: InputName) => (value: string) => readBoolean(name, value);
const text = (value: string) => value;

/** What a row may read besides its own text: the environment, the inputs read before it, whether an input was given. */
interface Context {
  env: NodeJS.ProcessEnv;
  region: string;
  given(name: InputName): boolean;
}

interface Row<T> {
  /** The input's text (trimmed; unset: its default) → its typed value, or a UserError naming the input and the fix. */
  read(value: string, context: Context): T;
  /** Only these modes accept it: given in another, it is refused with this sentence. */
  only?: { modes: Mode[]; refused(mode: Mode): string };
  /** These modes need it: unset there, it is refused with this sentence. */
  required?: { modes: Mode[]; text: string };
}

const row = <T>(read: Row<T>['read'], more: Omit<Row<T>, 'read'> = {}): Row<T> => ({ read, ...more });

/**
 * Every input, in the order it is read and checked (the first bad one is the one reported): how its
 * text is read, and which modes accept or need it.
 */
const INPUTS = {
  mode: row((value) => readChoice('mode', value, ['publish', 'verify', 'reconcile'] as const)),
  'aws-region': row((value, { env }) => {
    const region = value || env.AWS_REGION || env.AWS_DEFAULT_REGION || '';
    if (!region) throw new UserError('aws-region: not set. Give the registry region, e.g. `aws-region: us-east-2`.');
    if (!REGION.test(region)) throw new UserError(`aws-region: ${quoted(region)} is not an AWS region name such as us-east-2.`);
    return region;
  }),
  'registry-id': row((value) => {
    const registryId = optional(value);
    // Already says the rule a lost zero breaks (a 12-digit ID); its wording is pinned as it is.
    if (registryId && !ACCOUNT_ID.test(registryId)) throw new UserError(`registry-id: ${quoted(registryId)} is not a 12-digit AWS account ID.`);
    return registryId;
  }),
  repository: row(
    (value) => {
      const repository = optional(value);
      if (repository) assertRepositoryName(repository, 'repository');
      return repository;
    },
    { required: { modes: ['publish'], text: 'repository: required in publish mode. Name the ECR repository, e.g. `repository: team/service`.' } },
  ),
  tags: row(list('tags', splitList, tagInputProblem)),
  'build-args': row(list('build-args', splitLines, (arg) => (/^[A-Za-z_][A-Za-z0-9_]*=/.test(arg) ? undefined : 'must be NAME=value.'))),
  labels: row(list('labels', splitLines, (label) => (/^[^=\s]+=/.test(label) ? undefined : 'must be name=value.'))),
  platforms: row(
    list('platforms', splitList, (platform) => (/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platform) ? undefined : 'is not a platform such as linux/amd64.')),
  ),
  'pull-principals': row((value, { region }) => [...new Set(splitList(value).map((principal) => readPullPrincipal(principal, region)))]),
  'pull-actions': row(readPullActions),
  'policy-sid': row((value) => {
    if (!SID.test(value)) throw new UserError(`policy-sid: ${quoted(value)} must be 1-100 letters and digits (IAM's Sid rule).`);
    return value;
  }),
  'staging-role-arn': row(roleArn('staging-role-arn')),
  'staging-assume-role-arn': row(roleArn('staging-assume-role-arn')),
  'organization-assume-role-arn': row(roleArn('organization-assume-role-arn', 'arn:aws:iam::111122223333:role/PublishImageOrganizationReader')),
  'staging-policy-name': row((value) => {
    const name = optional(value);
    if (name && !POLICY_NAME.test(name)) throw new UserError(`staging-policy-name: ${quoted(name)} is not an IAM policy name (letters, digits and +=,.@_-).`);
    return name;
  }),
  pullers: row((value, { region }) => (value === '' ? undefined : parsePullers(value, pullerRules(region)))),
  'replica-assume-role-arns': row(readReplicaReaders),
  proposed: row(optional, {
    only: {
      modes: ['verify'],
      refused: (mode) =>
        `proposed: only in verify mode (it judges a change before it is applied; ${mode} acts on what AWS holds now). Use mode: verify, or remove proposed.`,
    },
  }),
  'proposed-layer': row((value) => readProposedLayer(optional(value))),
  'extra-repositories': row((value) => {
    const names = splitList(value);
    for (const name of names) assertRepositoryName(name, 'extra-repositories');
    return names;
  }),
  context: row(text),
  file: row(text),
  target: row(text),
  'cache-from': row(splitLines),
  'cache-to': row(splitLines),
  'no-cache': row(boolean('no-cache')),
  push: row(boolean('push')),
  provenance: row(text),
  secrets: row(parseSecrets),
  'secret-files': row(parseSecretFiles),
  'secret-envs': row(parseSecretEnvs),
  ssh: row(parseSsh),
  'build-contexts': row(parseBuildContexts),
  'create-repository': row(boolean('create-repository')),
  'image-tag-mutability': row((value) =>
    readChoice('image-tag-mutability', value, ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'] as const),
  ),
  'image-tag-mutability-exclusion-filters': row(readExclusionFilters),
  'scan-on-push': row(boolean('scan-on-push')),
  'staging-external-id': row(optional),
  manifest: row(optional),
  'manifest-key': row(text),
  'repository-template': row(text),
  'on-extra': row((value) => readChoice('on-extra', value, ['warn', 'fail', 'ignore'] as const)),
  prune: row(boolean('prune')),
  'dry-run': row(boolean('dry-run')),
  simulate: row(boolean('simulate')),
  'propagation-timeout': row((value) => readSeconds('propagation-timeout', value) * 1000),
  images: row(parseImages),
  'wait-for-replication': row((value) => readWaitForReplication(value) * 1000),
} satisfies Record<InputName, Row<unknown>>;

type Values = { [K in InputName]: ReturnType<(typeof INPUTS)[K]['read']> };

/** Checks between inputs, each run as soon as the last input it reads is read (so the first bad input is still the one reported). */
const RELATIONS: { after: InputName; check(values: Values, context: Context): void }[] = [
  {
    after: 'staging-policy-name',
    check: (values, { region }) => {
      for (const input of ['staging-role-arn', 'staging-assume-role-arn', 'organization-assume-role-arn'] as const) {
        const arn = values[input];
        if (arn) assertPartition(input, arn, region);
      }
    },
  },
  {
    after: 'pullers',
    check: (values, { given }) => {
      if (!values.pullers) return;
      const single = (['staging-role-arn', 'staging-policy-name', 'staging-assume-role-arn', 'staging-external-id'] as const).filter(given);
      if (single.length > 0) {
        throw new UserError(
          `pullers / ${single.join(', ')}: both given. The staging-* inputs are the one-puller form of \`pullers\`: move that role into the list (role-arn, policy-name, assume-role-arn, external-id) and remove ${single.join(', ')}.`,
        );
      }
    },
  },
  {
    after: 'proposed-layer',
    check: (values) => {
      if (values['proposed-layer'] && !values.proposed)
        throw new UserError('proposed-layer: given without proposed. Name the file it is the layer of, or remove proposed-layer.');
    },
  },
];

function readPullActions(value: string): string[] {
  // Only actions that read: anything else (ecr:SetRepositoryPolicy, ecr:*, iam:PassRole) would be written into the grant.
  const actions = [
    ...new Set(
      splitList(value).map((action) => {
        const known = GRANTABLE_ACTIONS.get(action.toLowerCase());
        if (known) return known;
        throw new UserError(
          `pull-actions: ${quoted(action)} is not an ECR action that reads images, and a grant may only let the puller read. Use ${PULL_ACTIONS.join(', ')} (the default: leave pull-actions unset), plus ${READ_ONLY_ACTIONS.join(', ')} if a puller lists tags.`,
        );
      }),
    ),
  ];
  if (actions.length === 0) throw new UserError('pull-actions: empty. Leave it unset for the three pull actions.');
  // The grant writes pull-actions; a grant without what every docker pull calls lets nobody pull.
  const lacking = PULL_NEEDS.filter((needed) => !actions.includes(needed));
  if (lacking.length > 0) {
    throw new UserError(
      `pull-actions: lacks ${lacking.join(' and ')}, which every docker pull calls, so a grant of ${actions.join(', ')} lets nobody pull. Add ${lacking.join(' and ')} (or leave pull-actions unset for the three pull actions).`,
    );
  }
  return actions;
}

/** The rules a `pullers` entry is read by: the same as the one-puller inputs'. */
function pullerRules(region: string): PullerRules {
  return {
    registryRegion: region,
    roleArnProblem: (value) => (ROLE_ARN.test(value) ? undefined : `is not a role ARN such as ${ROLE_ARN_EXAMPLE}.${lostZerosHint(value)}`),
    policyNameProblem: (value) => (POLICY_NAME.test(value) ? undefined : 'is not an IAM policy name (letters, digits and +=,.@_-).'),
    regionProblem: (value) =>
      !REGION.test(value)
        ? 'is not an AWS region name such as us-east-2.'
        : partitionOfRegion(value) !== partitionOfRegion(region)
          ? `is in another partition than aws-region ${region}: ECR replicates, and AWS grants, within one partition only.`
          : undefined,
    assertPartition: (input, arn) => assertPartition(input, arn, region),
  };
}

/** One reader role per destination account, each in the registry's partition. */
function readReplicaReaders(value: string, { region }: Context): string[] {
  const arns = [...new Set(splitList(value))];
  for (const arn of arns) {
    if (!ROLE_ARN.test(arn)) {
      throw new UserError(`replica-assume-role-arns: ${quoted(arn)} is not a role ARN such as arn:aws:iam::111122223333:role/NAME.${lostZerosHint(arn)}`);
    }
    assertPartition('replica-assume-role-arns', arn, region);
  }
  const sameAccount = arns.find((arn, index) => arns.findIndex((other) => accountOf(other) === accountOf(arn)) !== index);
  if (sameAccount)
    throw new UserError(`replica-assume-role-arns: two roles in account ${accountOf(sameAccount)}. Give one reader role per destination account.`);
  return arns;
}

/**
 * Reads every input once, in the table's order, validates it, and returns typed values. `get` returns
 * the raw input ('' when unset); action.yml defaults are applied here too, so the CLI behaves the same.
 */
export function readInputs(get: (name: InputName) => string, env: NodeJS.ProcessEnv = process.env): Inputs {
  const values = {} as Values;
  const context: Context = { env, region: '', given: (name) => get(name).trim() !== '' };
  for (const name of Object.keys(INPUTS) as InputName[]) {
    const spec: Row<unknown> = INPUTS[name];
    const given = get(name).trim();
    const value = spec.read(given === '' ? INPUT_DEFAULTS[name] : given, context);
    (values as Record<InputName, unknown>)[name] = value;
    if (name === 'aws-region') context.region = value as string;
    if (spec.only && value !== undefined && !spec.only.modes.includes(values.mode)) throw new UserError(spec.only.refused(values.mode));
    if (spec.required && value === undefined && spec.required.modes.includes(values.mode)) throw new UserError(spec.required.text);
    for (const relation of RELATIONS) if (relation.after === name) relation.check(values, context);
  }
  return inputsOf(values);
}

/** The typed inputs, named as the modes use them. */
function inputsOf(values: Values): Inputs {
  const common: CommonInputs = {
    region: values['aws-region'],
    registryId: values['registry-id'],
    build: {
      context: values.context,
      file: values.file,
      buildArgs: values['build-args'],
      labels: values.labels,
      tags: values.tags,
      target: values.target,
      platforms: values.platforms,
      cacheFrom: values['cache-from'],
      cacheTo: values['cache-to'],
      noCache: values['no-cache'],
      push: values.push,
      provenance: values.provenance,
      secrets: values.secrets,
      secretFiles: values['secret-files'],
      secretEnvs: values['secret-envs'],
      ssh: values.ssh,
      buildContexts: values['build-contexts'],
    },
    createRepository: values['create-repository'],
    imageTagMutability: values['image-tag-mutability'],
    imageTagMutabilityExclusionFilters: values['image-tag-mutability-exclusion-filters'],
    scanOnPush: values['scan-on-push'],
    pullPrincipals: values['pull-principals'],
    pullActions: values['pull-actions'],
    policySid: values['policy-sid'],
    stagingRoleArn: values['staging-role-arn'],
    stagingPolicyName: values['staging-policy-name'],
    stagingAssumeRoleArn: values['staging-assume-role-arn'],
    stagingExternalId: values['staging-external-id'],
    pullers: values.pullers,
    replicaAssumeRoleArns: values['replica-assume-role-arns'],
    proposed: values.proposed,
    proposedLayer: values['proposed-layer'],
    organizationAssumeRoleArn: values['organization-assume-role-arn'],
    manifest: values.manifest,
    manifestKey: values['manifest-key'],
    repositoryTemplate: values['repository-template'],
    extraRepositories: values['extra-repositories'],
    onExtra: values['on-extra'],
    prune: values.prune,
    dryRun: values['dry-run'],
    simulate: values.simulate,
    propagationTimeoutMs: values['propagation-timeout'],
    images: values.images,
    waitForReplicationMs: values['wait-for-replication'],
  };
  const { mode, repository } = values;
  // The repository row refused a publish without one.
  return mode === 'publish' ? { ...common, mode, repository: repository as string } : { ...common, mode, repository };
}
