import type { ECRClient } from '@aws-sdk/client-ecr';
import { createEcrClient, roleSessionName } from '../adapters/aws/clients.js';
import { getRegistryAuthorization } from '../adapters/aws/ecr.js';
import { readManifestFile } from '../adapters/manifest-file.js';
import { expectedRepositories } from '../domain/manifest.js';
import { log } from '../log.js';
import type { PullerSettings, Targets } from '../domain/pullers.js';
import { accountOf } from '../domain/arn.js';
import { currentCredentialsAccount, organizationAccess, ReaderAccountError, pullerAccess, type PullerAccess } from './access.js';
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
  access: Map<string, Promise<PullerAccess>>;
  organization: ReturnType<typeof organizationAccess>;
  /** Each puller's index in the `pullers` input, by name (none for the staging-* inputs): how errors name the input to fix. */
  pullerIndex: Map<string, number>;
}

/** What opening the readers needs: where the registry is, who pulls, who reads the organization, which run asks. */
export interface ReaderSettings {
  registry: { region: string; registryId: string | undefined };
  pullers: PullerSettings[];
  /** Whether the pullers came from the `pullers` input (else from the staging-* inputs). */
  pullersInput?: boolean;
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
  const sessions = new Map<string, Promise<PullerAccess>>();
  const access = new Map(
    settings.pullers.map((puller) => {
      const key = `${puller.assumeRoleArn ?? ''}\u0000${puller.externalId ?? ''}`;
      const session = sessions.get(key) ?? pullerAccess(puller, region, sessionName);
      sessions.set(key, session);
      return [puller.name, session];
    }),
  );
  const organization = organizationAccess(settings.organizationAssumeRoleArn, region, roleSessionName('organization', settings.runId));
  // Each is awaited (and its failure reported) where it is needed; none may reject unobserved meanwhile.
  for (const pending of [registryId, registryFacts, ...access.values(), organization]) pending.catch(() => undefined);
  const pullerIndex = new Map(settings.pullersInput ? settings.pullers.map((puller, index) => [puller.name, index]) : []);
  return { ecr, registryId, registryFacts, access, organization, pullerIndex };
}

/**
 * IAM reads a role by name in the session's own account, so a session in another account reads
 * another role of that name; IAM weighs the identity policies of the role that pulls, in its own
 * account. The account read is IAM's own answer (the ARN GetRole returns, from the same session as the
 * policies), or, when no such role is there, the session's account (sts:GetCallerIdentity for the
 * current credentials, the assumed role's account otherwise): no extra round trip.
 */
function readerAccountError(readers: Readers, puller: PullerSettings, access: PullerAccess, account: string): ReaderAccountError {
  const roleAccount = accountOf(puller.roleArn);
  const index = readers.pullerIndex.get(puller.name);
  const staging = index === undefined;
  const subject = staging ? 'staging-role-arn' : `pullers[${index}] (${puller.name})`;
  const field = staging ? 'staging-assume-role-arn' : `pullers[${index}].assume-role-arn`;
  const reader = access.credentials ? `${access.who} (${field}) is` : "the current credentials (the job's) are";
  const where = staging ? 'staging IAM was read' : 'its IAM was read';
  const orCredentials = access.credentials ? '' : ` (or run with credentials in ${roleAccount})`;
  return new ReaderAccountError(
    `${subject}: ${reader} in account ${account}, where ${where} — the role is in account ${roleAccount}. Set ${field} to a role in ${roleAccount} that may read IAM${orCredentials}. Nothing was judged: what account ${account} holds is not the role that pulls.`,
  );
}

/** Everything read of one puller itself, with the run's readers: returned only when it was read in the role's own account. */
export async function readPuller(readers: Readers, puller: PullerSettings): Promise<PullerFacts> {
  const pending = readers.access.get(puller.name);
  if (!pending) throw new Error(`no reader was opened for puller ${puller.name}`);
  const [access, organization] = await Promise.all([pending, readers.organization]);
  const facts = await readPullerFacts(access, puller, organization);
  const account = facts.role ? accountOf(facts.role.roleArn) : access.account;
  if (account !== undefined && account !== accountOf(puller.roleArn)) throw readerAccountError(readers, puller, access, account);
  return facts;
}
/** The registry the run is about, as a place pulled from (its policy, organization and RCPs). */
export async function readHomePlace(readers: Readers): Promise<PlaceFacts> {
  return readPlaceFacts(readers.registryFacts, await readers.organization);
}
