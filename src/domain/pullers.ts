import { accountOf } from './arn.js';
import type { Platform } from './image/platform.js';
import { globMatch } from './policy/glob.js';

/**
 * Who pulls what: the pullers, the one statement that grants them, and the repositories a run judges.
 * settings/ makes these from the inputs; services take them (each only the part it uses).
 */

/** The registry pulled from: its region, and its account when given (else the credentials' own). */
export interface RegistrySettings {
  region: string;
  registryId: string | undefined;
}

/** The platforms a puller pulls; `named` false when it named none (the default is assumed, as docker does). */
export interface PlatformChoice {
  wanted: Platform[];
  named: boolean;
}

/** What a puller that names no platforms pulls: docker's default on the hosts this guards. */
export const DEFAULT_PLATFORMS: PlatformChoice = { wanted: [{ os: 'linux', architecture: 'amd64' }], named: false };

/** A role that pulls, how its account is read, where it pulls and what it must pull. */
export interface PullerSettings {
  /** How tables and messages name it: `name:`, else the role's name. Unique in a run. */
  name: string;
  roleArn: string;
  /** The inline policy that holds the allowlist (extras, reconcile). */
  policyName: string | undefined;
  assumeRoleArn: string | undefined;
  externalId: string | undefined;
  /** The regions it pulls in; the registry's own region when not given. */
  regions: string[];
  /** Name patterns (`*` within the name) of the expected repositories it must pull; undefined: all. */
  repositories: string[] | undefined;
  /** The platforms it pulls (`platforms:`); undefined: linux/amd64, not named (settings/images.ts). */
  platforms?: PlatformChoice;
}

/** Whether a puller must pull this repository: every expected one, or those its patterns match. */
export function pullerNeeds(puller: Pick<PullerSettings, 'repositories'>, repository: string): boolean {
  return puller.repositories === undefined || puller.repositories.some((pattern) => globMatch(pattern, repository));
}

/** The one statement this action owns in a repository policy. */
export interface GrantSettings {
  sid: string;
  /** `pull-principals`: the same on every repository. Empty: the pullers' roles (below), or no grant at all (verify only judges). */
  principals: string[];
  /** What the grant writes; always holds what a pull needs (checked when parsed). */
  actions: string[];
  /** Given as `pullers` without pull-principals: each repository's grant names only the pullers that must pull it there. */
  pullers?: Pick<PullerSettings, 'roleArn' | 'regions' | 'repositories'>[];
}

/**
 * Who a repository's grant names: pull-principals, or each puller that must pull this repository in
 * this region, and no other (a repository policy is the registry's only say over a cross-account pull).
 */
export function principalsFor(grant: GrantSettings, repository: string, region: string, registry?: { account: string; named: string[] }): string[] {
  if (grant.principals.length > 0 || !grant.pullers) return grant.principals;
  const needing = grant.pullers.filter((puller) => puller.regions.includes(region) && pullerNeeds(puller, repository));
  // A puller in the registry's own account needs no grant: its identity policy alone can let it pull
  // (IAM User Guide, "Policy evaluation for requests within a single account"), and reconcile fixes
  // that side. One the owned statement already names is kept: it may be what lets it pull today.
  const needed = needing.filter((puller) => !registry || accountOf(puller.roleArn) !== registry.account || registry.named.includes(puller.roleArn));
  return [...new Set(needed.map((puller) => puller.roleArn))];
}

/** Which repositories a run judges: one, or every one the manifest expects plus the extras. */
export type Targets = { kind: 'repository'; repository: string } | { kind: 'manifest'; path: string; key: string; template: string; extra: string[] };
