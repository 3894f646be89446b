/**
 * The image layer of a cell: whether the image a puller will pull is there, in the form it asks for,
 * where it pulls. All result types of the image layer live here; words are rendered in report/.
 *
 *   present             ACTIVE in the registry the puller pulls from, with the puller's platform in it
 *   absent              no such image there (never pushed, expired, deleted): "manifest unknown"
 *   archived            in the archive storage class: "Archived images cannot be pulled" (404)
 *   activating          being restored from the archive (up to 20 minutes): not pullable yet
 *   replicating         the replica's copy is IN_PROGRESS
 *   replication-failed  the replica's copy FAILED (`failureCode` is AWS's)
 *   not-replicated      a replica that should hold it does not, and no replication of it is recorded
 *                       (pushed before replication was configured, or the rule did not cover it then)
 *   platform-missing    an image index without the puller's os/architecture/variant
 *   key-unusable        the repository's KMS key is disabled, pending deletion, … or ECR's grant is gone
 *
 * Each state that makes the pull fail is drift with a fix; a fact that could not be read makes the
 * image `conditional`, naming the permission that would read it; never `present` on a guess.
 */
export type ImageState =
  'present' | 'absent' | 'archived' | 'activating' | 'replicating' | 'replication-failed' | 'not-replicated' | 'platform-missing' | 'key-unusable';

/** What a person does about a state (the report turns it into words and commands). */
export type ImageFix =
  | 'push-again'
  | 'restore' // ecr:UpdateImageStorageClass to STANDARD
  | 'wait' // activating or replicating: it will be there
  | 'backfill' // replicate the existing image (or push it again)
  | 'push-platform'
  | 'enable-key' // EnableKey / CancelKeyDeletion, or give ECR its grant back
  | 'change-rule'; // the lifecycle rule that will take the image

/** A lifecycle rule that will act on the image: `expire` deletes it, `transition` archives it. */
export interface ExpiresSoon {
  kind: 'expires-soon';
  action: 'expire' | 'transition';
  rulePriority: number;
  /**
   * When the rule's criteria are (or were) met, ISO 8601; ECR acts "within 24 hours" after. Undefined
   * for imageCountMoreThan: the image is already beyond the count, so it goes at the next evaluation.
   */
  criteriaMetAt?: string;
}

export type ImageWarning = ExpiresSoon;

/** A fact the run could not read: the image layer of the cell is then conditional. */
export interface ImageUnread {
  /** The permission whose read was missing or denied, e.g. `ecr:DescribeImages`, `kms:DescribeKey`. */
  permission: string;
  reason: string;
}

/** The image layer's verdict for one cell (one puller, one region, one repository). */
export type ImageFinding =
  | {
      status: 'judged';
      state: ImageState;
      /** The digest judged (the pinned one, or the one a tag named). */
      digest?: string;
      /** replication-failed: AWS's failureCode; key-unusable: the KeyState or `grant-revoked`. */
      detail?: string;
      /** platform-missing: the platforms the index holds (`os/arch[/variant]`). */
      available?: string[];
      /** present: the platform the pull will take when it is not the one named (docker's compatible fallback, e.g. 386 for amd64). */
      fallback?: string;
      fix?: ImageFix;
      warnings: ImageWarning[];
      /** Reads that only feed a warning (the lifecycle policy) and were not possible: said, not a condition of the pull. */
      notChecked?: ImageUnread[];
    }
  | { status: 'conditional'; unread: ImageUnread[]; digest?: string; warnings: ImageWarning[] };

/** Whether a state makes the pull fail (drift), as the table says. */
export const pullFails = (state: ImageState): boolean => state !== 'present';

/** The fix for each failing state. */
export const FIX: Record<Exclude<ImageState, 'present'>, ImageFix> = {
  absent: 'push-again',
  archived: 'restore',
  activating: 'wait',
  replicating: 'wait',
  'replication-failed': 'push-again',
  'not-replicated': 'backfill',
  'platform-missing': 'push-platform',
  'key-unusable': 'enable-key',
};
