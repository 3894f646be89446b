import type { ECRClient } from '@aws-sdk/client-ecr';
import { createEcrClient, roleSessionName } from '../adapters/aws/clients.js';
import { getRegistryAuthorization } from '../adapters/aws/ecr.js';
import { readManifestFile } from '../adapters/manifest-file.js';
import { expectedRepositories } from '../domain/manifest.js';
import { log } from '../log.js';
import type { PullerSettings, Targets } from '../settings/settings.js';
import { currentCredentialsAccount, organizationAccess, stagingAccess, type StagingAccess } from './access.js';
import { readPlaceFacts, readPullerFacts, type PlaceFacts, type PullerFacts } from './puller.js';
import { readRegistryFacts, type RegistryFacts } from './registry.js';

/**
 * The registry account: given, or the current credentials' own (sts:GetCallerIdentity, which
 * needs no permission and hands out no registry password). ECR's token is the fallback.
 */
export async function resolveRegistryId(ecr: ECRClient, registryId: string | undefined): Promise<string> {
  if (registryId) return registryId;
  const account = await currentCredentialsAccount();
  if (account) return account;
  const registry = await getRegistryAuthorization(ecr, undefined);
  log.mask(registry.password);
  return registry.registryId;
}

/** One repository, or every one the manifest expects plus `extra-repositories`. */
export function targetRepositories(targets: Targets): { repositories: string[]; manifestMode: boolean } {
  if (targets.kind === 'repository') return { repositories: [targets.repository], manifestMode: false };
  const manifest = readManifestFile(targets.path);
  return { repositories: expectedRepositories(manifest, targets.path, targets.key, targets.template, targets.extra), manifestMode: true };
}

/** The clients and sessions a run reads with: opened once (one AssumeRole each), reused by reconcile's re-read. */
export interface Readers {
  ecr: ECRClient;
  registryId: Promise<string>;
  registryFacts: Promise<RegistryFacts>;
  /** Each puller's account access, by puller name. */
  access: Map<string, Promise<StagingAccess>>;
  organization: ReturnType<typeof organizationAccess>;
}

/** What opening the readers needs: where the registry is, who pulls, who reads the organization, which run asks. */
export interface ReaderSettings {
  registry: { region: string; registryId: string | undefined };
  pullers: PullerSettings[];
  organizationAssumeRoleArn: string | undefined;
  runId: string | undefined;
}

/** Starts every session and the registry reads at once; each is awaited where it is needed. */
export async function openReaders(settings: ReaderSettings, subject: string, known?: { ecr: ECRClient; registryId: string }): Promise<Readers> {
  const { region } = settings.registry;
  const ecr = known?.ecr ?? (await createEcrClient(region));
  const registryId = known ? Promise.resolve(known.registryId) : resolveRegistryId(ecr, settings.registry.registryId);
  const registryFacts = registryId.then((id) => readRegistryFacts(ecr, id, region));
  const sessionName = roleSessionName(subject, settings.runId);
  // One session per reader role (and external ID), however many pullers it reads: one AssumeRole each.
  const sessions = new Map<string, Promise<StagingAccess>>();
  const access = new Map(
    settings.pullers.map((puller) => {
      const key = `${puller.assumeRoleArn ?? ''}\u0000${puller.externalId ?? ''}`;
      const session = sessions.get(key) ?? stagingAccess(puller, region, sessionName);
      sessions.set(key, session);
      return [puller.name, session];
    }),
  );
  const organization = organizationAccess(settings.organizationAssumeRoleArn, region, roleSessionName('organization', settings.runId));
  // Each is awaited (and its failure reported) where it is needed; none may reject unobserved meanwhile.
  for (const pending of [registryId, registryFacts, ...access.values(), organization]) pending.catch(() => undefined);
  return { ecr, registryId, registryFacts, access, organization };
}

/** Everything read of one puller itself, with the run's readers. */
export async function readPuller(readers: Readers, puller: PullerSettings): Promise<PullerFacts> {
  const pending = readers.access.get(puller.name);
  if (!pending) throw new Error(`no reader was opened for puller ${puller.name}`);
  const [access, organization] = await Promise.all([pending, readers.organization]);
  return readPullerFacts(access, puller, organization);
}

/** The registry the run is about, as a place pulled from (its policy, organization and RCPs). */
export async function readHomePlace(readers: Readers): Promise<PlaceFacts> {
  return readPlaceFacts(readers.registryFacts, await readers.organization);
}
