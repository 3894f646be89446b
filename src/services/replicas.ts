import type { ECRClient } from '@aws-sdk/client-ecr';
import { createEcrClient, roleSessionName } from '../adapters/aws/clients.js';
import { readCreationTemplates, readReplication } from '../adapters/aws/replication.js';
import type {
  CreationTemplatesRead,
  Destination as DestinationOf,
  OrganizationFacts,
  RegistryPlace,
  ReplicaSource as ReplicaSourceOf,
  Replicas as ReplicasOf,
  ReplicationRead,
} from '../domain/facts.js';
import { accountOf } from '../domain/arn.js';
import { replicaDestinations, type Registry } from '../domain/replication.js';
import { placeKey, replicaSource } from '../domain/replica-cells.js';
import { log } from '../log.js';
import { pullerNeeds, type GrantSettings, type PullerSettings } from '../domain/pullers.js';
import { currentCredentialsAccount, ReaderAccountError, registryAccess, type AccountAccess } from './access.js';
import { readPlaceFacts } from './puller.js';
import type { Readers } from './readers.js';
import { readRegistryFacts } from './registry.js';
import { readRepositoryStates } from './repositories.js';

/**
 * Replicas: ECR replication copies images to other regions and accounts, not repository policies (a
 * replica gets the policy of its destination's creation template when it is created, or none). A
 * puller that pulls in another region than the registry's pulls the replica there: each
 * destination is read as a place of its own (its repository policies, registry policy, organization
 * and RCPs), once, whatever the number of pullers.
 */

/** A registry pulled from, as read (domain/facts.ts), with the ECR client it is read and written with. */
export interface PlaceSurvey extends RegistryPlace {
  ecr: ECRClient;
}

export type Destination = DestinationOf<PlaceSurvey>;
export type ReplicaSource = ReplicaSourceOf<PlaceSurvey>;
export type Replicas = ReplicasOf<PlaceSurvey>;

export { placeKey, replicaSource };

/** Every region other than the registry's that some puller pulls in. */
function otherRegions(pullers: PullerSettings[], home: string): Set<string> {
  return new Set(pullers.flatMap((puller) => puller.regions.filter((region) => region !== home)));
}

/** The repositories replicated to each destination in a region some puller pulls in, that such a puller needs. */
function destinationsNeeded(
  replication: ReplicationRead,
  home: Registry,
  pullers: PullerSettings[],
  repositories: string[],
): Map<string, { registry: Registry; repositories: Set<string> }> {
  const needed = new Map<string, { registry: Registry; repositories: Set<string> }>();
  if (replication.status !== 'read') return needed;
  for (const repository of repositories) {
    const regions = new Set(pullers.filter((puller) => pullerNeeds(puller, repository)).flatMap((puller) => puller.regions));
    for (const destination of replicaDestinations(replication.rules, home, repository)) {
      if (!regions.has(destination.region)) continue;
      const key = placeKey(destination);
      const entry = needed.get(key) ?? { registry: destination, repositories: new Set<string>() };
      entry.repositories.add(repository);
      needed.set(key, entry);
    }
  }
  return needed;
}

/** The credentials that read a destination: the registry's own in its account, else the reader role given for that account. */
async function accessFor(registry: Registry, homeAccount: string | undefined, roles: string[], runId: string | undefined): Promise<AccountAccess | string> {
  if (registry.registryId === homeAccount) return { credentials: undefined, who: 'the current credentials', account: homeAccount };
  const role = roles.find((arn) => accountOf(arn) === registry.registryId);
  if (!role) return `no role in account ${registry.registryId} is given in replica-assume-role-arns, so its replica cannot be read`;
  return registryAccess(role, registry.region, roleSessionName('replica', runId));
}

async function readPlace(
  registry: Registry,
  access: AccountAccess,
  grant: GrantSettings,
  repositories: string[],
  organization: Readers['organization'],
  registryOrganization: Promise<OrganizationFacts> | undefined,
): Promise<PlaceSurvey> {
  const ecr = await createEcrClient(registry.region, { credentials: access.credentials });
  const registryRead = readRegistryFacts(ecr, registry.registryId, registry.region, access, registryOrganization, true);
  // Templates decide only replicas still to be created, but waiting to know that would cost a round trip: read beside the policies.
  const [states, facts, templatesRead] = await Promise.all([
    readRepositoryStates(ecr, grant, registry.region, registry.registryId, repositories),
    readPlaceFacts(registryRead, await organization),
    // Not needed unless a replica is missing: a failure here is kept as "unread", never the place's.
    readCreationTemplates(ecr, access.who, registry.registryId).catch((error: unknown): CreationTemplatesRead => ({
      status: 'unread',
      reason: error instanceof Error ? error.message : String(error),
    })),
  ]);
  const missing = [...states.values()].some((state) => state === undefined);
  const templates = missing ? templatesRead : undefined;
  return { ...registry, kind: 'replica', ecr, facts, states, templates };
}

/**
 * Reads the registry's replication configuration (ecr:DescribeRegistry, once) when a puller pulls
 * in another region, then every destination some puller pulls from, in parallel.
 */
export async function readReplicas(
  settings: { grant: GrantSettings; pullers: PullerSettings[]; replicaAssumeRoleArns: string[]; runId: string | undefined },
  readers: Readers,
  home: Registry,
  repositories: string[],
): Promise<Replicas> {
  const places = new Map<string, PlaceSurvey>();
  const unreadable = new Map<string, string>();
  if (otherRegions(settings.pullers, home.region).size === 0) return { replication: undefined, places, unreadable };
  // DescribeRegistry needs no account: it is asked at once, beside the question of whose the credentials are.
  const [homeAccount, replication] = await Promise.all([currentCredentialsAccount(), readReplication(readers.ecr, 'the current credentials', home.registryId)]);
  const needed = destinationsNeeded(replication, home, settings.pullers, repositories);
  await Promise.all(
    [...needed.entries()].map(async ([key, { registry, repositories: names }]) => {
      try {
        const access = await accessFor(registry, homeAccount, settings.replicaAssumeRoleArns, settings.runId);
        if (typeof access === 'string') return void unreadable.set(key, access);
        // An organization is an account's, not a region's: a replica in the registry's own account reuses its read.
        const organization = registry.registryId === home.registryId ? readers.registryFacts.then((facts) => facts.organization) : undefined;
        places.set(key, await readPlace(registry, access, settings.grant, [...names].sort(), readers.organization, organization));
      } catch (error) {
        // A reader in the wrong account is an input to fix: the run's error, not an unread destination.
        if (error instanceof ReaderAccountError) throw error;
        // A reader role that cannot be assumed leaves that destination unread (said, and a failed gate), not the run.
        unreadable.set(key, error instanceof Error ? error.message : String(error));
      }
    }),
  );
  log.info(`Replicas: ${places.size} destination registr${places.size === 1 ? 'y' : 'ies'} read${unreadable.size > 0 ? `, ${unreadable.size} not` : ''}.`);
  return { replication, places, unreadable };
}
