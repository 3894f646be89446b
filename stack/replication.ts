// Replication as a registry holds it, put through the real SDK at moto: a registry's replication
// rules and its repository creation templates (served by the patch in moto-server.py). moto copies
// no image on push: a test that needs a replica creates the destination repository itself.
import {
  CreateRepositoryCreationTemplateCommand,
  DeleteRepositoryCreationTemplateCommand,
  PutReplicationConfigurationCommand,
  type RCTAppliedFor,
} from '@aws-sdk/client-ecr';
import type { ReplicationRule } from '../src/domain/replication.js';
import { ecrIn } from './aws.js';

/** One registry of the stack: an account in a region. */
export interface StackRegistry {
  account: string;
  region: string;
}

/** Replaces the replication configuration of `registry` with `rules` (none: replication off). */
export async function putReplication(endpoint: string, registry: StackRegistry, rules: readonly ReplicationRule[]): Promise<void> {
  await ecrIn(endpoint, registry.account, registry.region).send(
    new PutReplicationConfigurationCommand({
      replicationConfiguration: {
        rules: rules.map((rule) => ({
          destinations: rule.destinations.map(({ region, registryId }) => ({ region, registryId })),
          ...(rule.filters.length > 0 ? { repositoryFilters: rule.filters.map(({ filter, filterType }) => ({ filter, filterType })) } : {}),
        })),
      },
    }),
  );
}

export interface TemplateSeed {
  prefix: string;
  /** Default: REPLICATION only. */
  appliedFor?: RCTAppliedFor[];
  /** A policy object, or stored text as it is (moto stores what it is given). None: no repository policy. */
  repositoryPolicy?: object | string;
}

/** Creates repository creation templates in `registry`. */
export async function createCreationTemplates(endpoint: string, registry: StackRegistry, templates: readonly TemplateSeed[]): Promise<void> {
  const ecr = ecrIn(endpoint, registry.account, registry.region);
  for (const template of templates) {
    const policy = template.repositoryPolicy;
    await ecr.send(
      new CreateRepositoryCreationTemplateCommand({
        prefix: template.prefix,
        appliedFor: template.appliedFor ?? ['REPLICATION'],
        ...(policy === undefined ? {} : { repositoryPolicy: typeof policy === 'string' ? policy : JSON.stringify(policy) }),
      }),
    );
  }
}

export async function deleteCreationTemplate(endpoint: string, registry: StackRegistry, prefix: string): Promise<void> {
  await ecrIn(endpoint, registry.account, registry.region).send(new DeleteRepositoryCreationTemplateCommand({ prefix }));
}
