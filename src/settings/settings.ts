import { roleNameOf } from '../domain/arn.js';
import { UserError } from '../errors.js';
import { readInputs, type BuildInputs, type InputName, type Inputs, type OnExtra } from './inputs.js';
import { principalsFor, type GrantSettings, type PullerSettings, type RegistrySettings, type Targets } from '../domain/pullers.js';
import type { ProposedLayer } from '../domain/proposed.js';
import { quoted } from '../util/inert.js';
import type { RunContext } from './run-context.js';
import type { ImageReference } from '../domain/image/status.js';

// Who pulls what (the pullers, the grant that names them, the repositories judged) lives in
// domain/pullers.ts: services take these parts. Said here for settings' users.
export { principalsFor, type GrantSettings, type PullerSettings, type RegistrySettings, type Targets };

/**
 * One typed settings value per mode, made once from the raw inputs (the runner's or the CLI's
 * flags). The types carry what was proven: publish has a repository, verify and reconcile have a
 * puller, reconcile has the allowlist policy. Each part holds only what its users need.
 */

/** What every reading mode shares. */
interface ReadingSettings {
  registry: RegistrySettings;
  grant: GrantSettings;
  /** Roles that read replica registries in other accounts, one per account. */
  replicaAssumeRoleArns: string[];
  /** A role in the organization's management account, to read SCPs, RCPs and OU paths. */
  organizationAssumeRoleArn: string | undefined;
  simulate: boolean;
  /** How long to wait for IAM/ECR to show a change (ms). */
  propagationTimeoutMs: number;
  /** Names AssumeRole sessions (CloudTrail shows which run asked). */
  runId: string | undefined;
  /** The pullers came from the `pullers` input (errors name `pullers[i]`), not from the staging-* inputs. */
  pullersInput?: boolean;
  /** `images`: per repository, the references its cells judge (issue 26). */
  images?: Map<string, ImageReference[]>;
}

export interface PublishSettings extends ReadingSettings {
  mode: 'publish';
  repository: string;
  build: BuildInputs;
  /** With create-repository: what a repository this action creates gets. */
  create: { mutability: Inputs['imageTagMutability']; exclusionFilters: string[]; scanOnPush: boolean } | undefined;
  /** Every role that must pull what is pushed (none: only the grant is checked). */
  pullers: PullerSettings[];
  run: RunContext;
  /** After the push, wait this long for the digest's replicas where pullers pull (0 or undefined: do not wait). */
  waitForReplicationMs?: number;
}

export interface VerifySettings extends ReadingSettings {
  mode: 'verify';
  targets: Targets;
  pullers: PullerSettings[];
  onExtra: OnExtra;
  /** A proposed state to judge instead of the live one: the file, and the layer a lone document replaces. */
  proposed: { path: string; layer: ProposedLayer | undefined } | undefined;
}

export interface ReconcileSettings extends ReadingSettings {
  mode: 'reconcile';
  targets: Targets;
  pullers: (PullerSettings & { policyName: string })[];
  onExtra: OnExtra;
  prune: boolean;
  dryRun: boolean;
}

export type Settings = PublishSettings | VerifySettings | ReconcileSettings;

function targetsOf(inputs: Inputs): Targets {
  if (inputs.repository) return { kind: 'repository', repository: inputs.repository };
  if (!inputs.manifest) {
    throw new UserError(
      `repository / manifest: ${inputs.mode} needs one of them. Give \`repository:\` for one repository, or \`manifest:\` for every repository the template manifest lists.`,
    );
  }
  return { kind: 'manifest', path: inputs.manifest, key: inputs.manifestKey, template: inputs.repositoryTemplate, extra: inputs.extraRepositories };
}

/** `pullers`, or the one puller of the staging-* inputs (in the registry's region, every repository). */
function pullersOf(inputs: Inputs): PullerSettings[] {
  if (inputs.pullers) return inputs.pullers;
  if (!inputs.stagingRoleArn) return [];
  return [
    {
      name: roleNameOf(inputs.stagingRoleArn),
      roleArn: inputs.stagingRoleArn,
      policyName: inputs.stagingPolicyName,
      assumeRoleArn: inputs.stagingAssumeRoleArn,
      externalId: inputs.stagingExternalId,
      regions: [inputs.region],
      repositories: undefined,
    },
  ];
}

function requirePullers(inputs: Inputs): PullerSettings[] {
  const pullers = pullersOf(inputs);
  if (pullers.length === 0) {
    throw new UserError(
      `staging-role-arn: required in ${inputs.mode} mode. Name the role that pulls, e.g. arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging (or several, with \`pullers\`).`,
    );
  }
  return pullers;
}

/** The layer a lone policy document replaces; an allowlist is a puller's (named when there are several) inline policy. */
function proposedLayerOf(inputs: Inputs, pullers: PullerSettings[]): ProposedLayer | undefined {
  const given = inputs.proposedLayer;
  if (!given || given.layer !== 'allowlist') return given;
  const puller = given.puller === undefined ? (pullers.length === 1 ? pullers[0] : undefined) : pullers.find((candidate) => candidate.name === given.puller);
  if (!puller) {
    throw new UserError(
      given.puller === undefined
        ? `proposed-layer: allowlist of which puller? There are ${pullers.length}: use allowlist:<name> with one of ${pullers.map((candidate) => candidate.name).join(', ')}.`
        : `proposed-layer: no puller is named ${quoted(given.puller, 64)}. Use one of ${pullers.map((candidate) => candidate.name).join(', ')}.`,
    );
  }
  if (!puller.policyName) {
    throw new UserError(
      `proposed-layer: the allowlist of ${puller.name} is its inline policy, but it has no policy name. Set staging-policy-name (or the puller's policy-name).`,
    );
  }
  return { layer: 'allowlist', roleArn: puller.roleArn, policyName: puller.policyName };
}

/** The grant: pull-principals on every repository, or (`pullers` without pull-principals) each repository's own pullers. */
function grantOf(inputs: Inputs): GrantSettings {
  const grant = { sid: inputs.policySid, principals: inputs.pullPrincipals, actions: inputs.pullActions };
  if (inputs.pullPrincipals.length > 0 || !inputs.pullers) return grant;
  return { ...grant, pullers: inputs.pullers.map(({ roleArn, regions, repositories }) => ({ roleArn, regions, repositories })) };
}

/** The settings of the mode the inputs ask for, proven complete for it. */
export function settingsFrom(inputs: Inputs, run: RunContext): Settings {
  const reading: ReadingSettings = {
    registry: { region: inputs.region, registryId: inputs.registryId },
    grant: grantOf(inputs),
    replicaAssumeRoleArns: inputs.replicaAssumeRoleArns,
    organizationAssumeRoleArn: inputs.organizationAssumeRoleArn,
    simulate: inputs.simulate,
    propagationTimeoutMs: inputs.propagationTimeoutMs,
    runId: run.runId,
    pullersInput: inputs.pullers !== undefined,
    images: inputs.images,
  };
  switch (inputs.mode) {
    case 'publish': {
      // readInputs refused a publish without a repository: the type says so.
      const repository = inputs.repository;
      const create = inputs.createRepository
        ? { mutability: inputs.imageTagMutability, exclusionFilters: inputs.imageTagMutabilityExclusionFilters, scanOnPush: inputs.scanOnPush }
        : undefined;
      return {
        ...reading,
        mode: 'publish',
        repository,
        build: inputs.build,
        create,
        pullers: pullersOf(inputs),
        run,
        waitForReplicationMs: inputs.waitForReplicationMs,
      };
    }
    case 'verify': {
      const pullers = requirePullers(inputs);
      const proposed = inputs.proposed ? { path: inputs.proposed, layer: proposedLayerOf(inputs, pullers) } : undefined;
      return { ...reading, mode: 'verify', targets: targetsOf(inputs), pullers, onExtra: inputs.onExtra, proposed };
    }
    case 'reconcile': {
      const pullers = requirePullers(inputs).map((puller, index) => {
        if (puller.policyName) return { ...puller, policyName: puller.policyName };
        throw new UserError(
          inputs.pullers
            ? `pullers[${index}] (${puller.name}).policy-name: required in reconcile mode. Name the inline policy that holds its allowlist, e.g. WorkspaceTemplatePrimaryECRPull.`
            : 'staging-policy-name: required in reconcile mode. Name the inline policy that holds the allowlist, e.g. WorkspaceTemplatePrimaryECRPull.',
        );
      });
      return { ...reading, mode: 'reconcile', targets: targetsOf(inputs), pullers, onExtra: inputs.onExtra, prune: inputs.prune, dryRun: inputs.dryRun };
    }
  }
}

/** Raw inputs (the runner's `core.getInput`, or the CLI's flags) → the mode's settings. */
export function readSettings(get: (name: InputName) => string, run: RunContext, env: NodeJS.ProcessEnv = process.env): Settings {
  return settingsFrom(readInputs(get, env), run);
}
