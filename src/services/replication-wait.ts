import type { ECRClient } from '@aws-sdk/client-ecr';
import { readReplicationStatuses } from '../adapters/aws/images.js';
import type { ReplicationStatusesRead } from '../domain/image/facts.js';
import { replicationProgress, type WantedDestination } from '../domain/image/replication-wait.js';
import { UserError } from '../errors.js';
import { inert } from '../util/inert.js';
import { cancellableSleep } from '../util/retry.js';

/** The upper bound of `wait-for-replication` (seconds): ECR says most copies finish within 30 minutes. */
export const MAX_REPLICATION_WAIT_SECONDS = 3600;

export interface ReplicationWaitOptions {
  timeoutMs: number;
  /** Injectable so tests run instantly. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  log?: (message: string) => void;
  /** Between two reads (ms); default 10 s. */
  intervalMs?: number;
}

const where = (destination: WantedDestination): string => `${destination.region}${destination.registryId ? ` (registry ${destination.registryId})` : ''}`;

/**
 * After a push: polls the digest's replication status (one DescribeImageReplicationStatus a round)
 * until every destination a puller pulls from is COMPLETE. FAILED fails at once with AWS's failure
 * code; the deadline fails naming the destinations still pending; a denied read fails naming the
 * permission (waiting blind would be a guess).
 */
export async function waitForReplicas(
  read: () => Promise<ReplicationStatusesRead>,
  wanted: readonly WantedDestination[],
  image: string,
  options: ReplicationWaitOptions,
): Promise<void> {
  if (wanted.length === 0 || options.timeoutMs <= 0) return;
  const sleep = options.sleep ?? ((ms: number) => cancellableSleep(ms, 'replication'));
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  for (;;) {
    const answer = await read();
    if (answer.status === 'unread')
      throw new UserError(`wait-for-replication: ${answer.reason} Allow it, or set wait-for-replication: 0 to publish without waiting.`);
    const progress = replicationProgress(answer.status === 'read' ? answer.statuses : [], wanted);
    if (progress.kind === 'complete') {
      options.log?.(`Replicated ${inert(image, 200)} to ${wanted.map(where).join(', ')}.`);
      return;
    }
    if (progress.kind === 'failed')
      throw new UserError(
        `wait-for-replication: the replication of ${inert(image, 200)} to ${where(progress.destination)} FAILED${progress.failureCode ? ` (${inert(progress.failureCode, 80)})` : ''}, so a puller there cannot pull it. Fix the cause (the destination's KMS key, its registry policy, its repository creation template), then publish again.`,
      );
    const pending = progress.destinations.map(({ destination, status }) => `${where(destination)} ${status ? status : 'not started'}`).join(', ');
    const remaining = deadline - now();
    if (remaining <= 0)
      throw new UserError(
        `wait-for-replication: ${inert(image, 200)} is not replicated to ${pending} after ${Math.round(options.timeoutMs / 1000)} s. A deploy there would not find it yet: raise wait-for-replication, or check the replication rules for that destination.`,
      );
    options.log?.(`Waiting for the replicas of ${inert(image, 200)}: ${pending}.`);
    await sleep(Math.min(remaining, options.intervalMs ?? 10_000));
  }
}

/** The read `waitForReplicas` polls, at the source registry. */
export const replicationReader =
  (ecr: ECRClient, registryId: string, repository: string, digest: string, who: string) => (): Promise<ReplicationStatusesRead> =>
    readReplicationStatuses(ecr, registryId, repository, digest, who);
