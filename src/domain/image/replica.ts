import type { ImageState } from './result.js';

/**
 * Why a replica does not hold an image, from the source's ecr:DescribeImageReplicationStatus.
 *
 * ECR API Reference, "ImageReplicationStatus": per destination (region, registryId) a status
 * IN_PROGRESS | COMPLETE | FAILED and, when failed, a failureCode. ECR User Guide, "Private image
 * replication in Amazon ECR": "Only repository content pushed to a repository after replication is
 * configured is replicated. Any preexisting content in a repository isn't replicated"; "the majority
 * of images replicate in less than 30 minutes". The registry holds no record of when replication was
 * configured (DescribeRegistry has no time), so "pushed before replication was configured" cannot be
 * proven from imagePushedAt; what can be read is that the destination does not hold the image and no
 * replication of it to that destination is recorded: `not-replicated`, fixed by a backfill (or a push).
 *
 * The destination's own DescribeImages decides whether the pull works; the status only says why not.
 */

/** The source's replication record for one destination: none when the source has no record for it. */
export type ReplicationRecord =
  | { status: 'read'; entry?: { status: string; failureCode?: string } }
  | { status: 'unread'; reason: string }
  /** The source itself does not hold the digest (ImageNotFoundException): nothing there to replicate or backfill. */
  | { status: 'not-at-source' };

export interface ReplicaAbsence {
  state: Extract<ImageState, 'absent' | 'replicating' | 'replication-failed' | 'not-replicated'>;
  detail?: string;
}

/**
 * The state of a replica that does not hold the image. COMPLETE but absent: copied, then removed there
 * (the destination's own lifecycle policy, or a deletion): absent. A status this action does not know,
 * or an unread status: absent (the pull fails; why is not known).
 */
export function replicaAbsence(record: ReplicationRecord): ReplicaAbsence {
  if (record.status === 'unread') return { state: 'absent', detail: 'replication-status-unread' };
  // A backfill copies what the source holds; a digest it does not hold can only be pushed again.
  if (record.status === 'not-at-source') return { state: 'absent', detail: 'not-at-source' };
  const entry = record.entry;
  if (!entry) return { state: 'not-replicated' };
  switch (entry.status) {
    case 'IN_PROGRESS':
      return { state: 'replicating' };
    case 'FAILED':
      return { state: 'replication-failed', ...(entry.failureCode ? { detail: entry.failureCode } : {}) };
    case 'COMPLETE':
      return { state: 'absent', detail: 'removed-after-replication' };
    default:
      return { state: 'absent' };
  }
}
