import { roleNameOf } from '../domain/arn.js';
import type { RepositoryVerdict } from '../domain/checks/model.js';
import type { TagMutability } from '../domain/publish-plan.js';
import { describeMutability } from './findings.js';

/** publish's log in words: each step's title and the line that says what it found. The only place that phrases them. */
export const publishText = {
  repositoryStep: (repository: string) => `Repository ${repository}`,
  found: (info: { arn: string; mutability: TagMutability }) => `Found ${info.arn} (${describeMutability(info.mutability)}).`,
  createStep: (repository: string) => `Create repository ${repository}`,
  created: (info: { arn: string; mutability: TagMutability }) => `Created ${info.arn} (${describeMutability(info.mutability)}).`,
  published: (tags: string[], repository: string, digest: string) =>
    `${tags.join(', ')} already in ${repository} (${digest}): this commit is published already. Nothing is built or pushed; the grant and the verification still run.`,
  conflict: (taken: string[], repository: string, mutability: TagMutability) =>
    `tags: ${taken.join(', ')} already exist in ${repository}, whose tags are immutable (${describeMutability(mutability)}), so the push would fail. Use a new tag (e.g. the commit SHA or a new version), or delete the old image first.`,
  loginStep: (host: string) => `Login to ${host}`,
  loggedIn: () => `Logged in (credentials in the private DOCKER_CONFIG only, removed when the step ends).`,
  buildStep: (push: boolean, daemonVersion: string) => `Build${push ? ' and push' : ''} (Docker ${daemonVersion})`,
  confirmStep: () => 'Confirm with the registry',
  served: (repository: string, tag: string, digest: string) => `${repository}:${tag} -> ${digest}`,
  notPushed: (imageId: string | undefined) => `push: false, so nothing was pushed and nothing is verified (image ${imageId ?? 'built'}).`,
  pushed: (imageUri: string) => `Pushed ${imageUri}`,
  grantStep: (repository: string) => `Grant cross-account pull on ${repository}`,
  grantNotWritten: (imageUri: string, why: string) =>
    `The image is pushed (${imageUri}), but the grant was not written: ${why} Once that is fixed, run mode: reconcile for this repository: it writes the grant without rebuilding.`,
  verifyStep: (pullers: { roleArn: string }[], repository: string) =>
    `Verify that ${pullers.length === 0 ? 'staging' : pullers.map((placed) => roleNameOf(placed.roleArn)).join(', ')} can pull ${repository}`,
  /** One line per puller (none: the identity side is not checked). */
  verdicts: (pullers: number, verdicts: RepositoryVerdict[]) =>
    pullers === 0
      ? ['No staging-role-arn: the identity side is not checked.']
      : verdicts.map(
          (verdict) =>
            `${verdict.puller}: repository side ${verdict.grant?.status}, identity side ${verdict.identity?.status}, image ${verdict.image?.status === 'judged' ? verdict.image.state : verdict.image?.status}.`,
        ),
  waitStep: (repository: string, regions: string[]) => `Wait for the replicas of ${repository} in ${regions.join(', ')}`,
};
