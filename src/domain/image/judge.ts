import { judgeKey, type KeyFacts } from './key.js';
import { lifecycleWarning, type LifecycleRule } from './lifecycle.js';
import { formatPlatform, matchPlatform, type Platform, type PlatformFacts } from './platform.js';
import { replicaAbsence, type ReplicationRecord } from './replica.js';
import { FIX, type ImageFinding, type ImageState, type ImageUnread, type ImageWarning } from './result.js';
import { storedState, type ImageRecord, type ImageReference } from './status.js';

/** Lifecycle rules act within 24 hours of their criteria being met: warn a day ahead of that. */
export const LIFECYCLE_HORIZON_MS = 24 * 60 * 60 * 1000;

/** Everything one cell's image verdict needs, gathered beforehand (reads shared across cells). */
export interface ImageCellFacts {
  reference: ImageReference;
  /** The images (every status) of the repository the puller pulls from: the source, or the replica in its region. */
  images: { status: 'read'; images: ImageRecord[] } | { status: 'no-repository' } | { status: 'unread'; reason: string };
  /** Only when the puller pulls from a replica: the source's replication record for that destination. */
  replication?: ReplicationRecord;
  /** The found image's platforms (read once per digest). Undefined when the image was not found. */
  platform?: PlatformFacts;
  /** The puller's platforms; `named` false when the default (linux/amd64) is assumed. */
  platforms: { wanted: Platform[]; named: boolean };
  key: KeyFacts;
  lifecycle: { status: 'read'; rules: LifecycleRule[] } | { status: 'none' } | { status: 'unread'; permission: string; reason: string };
  repositoryArn: string;
  /** An index in the repository references the image (a lifecycle rule does not expire it alone). */
  referencedByIndex?: boolean;
  now: number;
}

const failing = (state: Exclude<ImageState, 'present'>, digest: string | undefined, extra: { detail?: string; available?: string[] } = {}): ImageFinding => ({
  status: 'judged',
  state,
  ...(digest ? { digest } : {}),
  ...extra,
  fix: FIX[state],
  warnings: [],
});

const conditional = (unread: ImageUnread[], digest: string | undefined, warnings: ImageWarning[] = []): ImageFinding => ({
  status: 'conditional',
  unread,
  ...(digest ? { digest } : {}),
  warnings,
});

/**
 * The image verdict of one cell, as AWS would serve the pull: where the image is not ACTIVE in the
 * registry pulled from, why (archived, activating, replication); then the key; then every platform the
 * puller names; then the lifecycle rule that will take it (a warning). A fact not read: conditional,
 * naming the permission. The lifecycle policy unread is a warning left unsaid, not a condition of the
 * pull (the pull works today); it is listed in `notChecked`.
 */
export function judgeImageCell(facts: ImageCellFacts): ImageFinding {
  const wantedDigest = 'digest' in facts.reference ? facts.reference.digest : undefined;
  if (facts.images.status === 'unread') return conditional([{ permission: 'ecr:DescribeImages', reason: facts.images.reason }], wantedDigest);
  const images = facts.images.status === 'read' ? facts.images.images : [];
  const stored = storedState(images, facts.reference);
  if (stored.state === 'absent') {
    if (!facts.replication) return failing('absent', wantedDigest);
    const why = replicaAbsence(facts.replication);
    return why.state === 'absent'
      ? failing('absent', wantedDigest, why.detail ? { detail: why.detail } : {})
      : failing(why.state, wantedDigest, why.detail ? { detail: why.detail } : {});
  }
  const digest = stored.image.digest;
  if (stored.state === 'unknown-status')
    return conditional(
      [
        {
          permission: 'ecr:DescribeImages',
          reason: `the image's status ${JSON.stringify(String(stored.image.status)).slice(0, 40)} is not one this action knows`,
        },
      ],
      digest,
    );
  if (stored.state === 'archived' || stored.state === 'activating') return failing(stored.state, digest);

  const unread: ImageUnread[] = [];
  const key = judgeKey(facts.key, facts.repositoryArn);
  if (key.usable === false) return failing('key-unusable', digest, { detail: key.detail });
  if (key.usable === 'unknown') unread.push({ permission: key.permission, reason: key.reason });

  let fallback: string | undefined;
  const platformFacts: PlatformFacts = facts.platform ?? { kind: 'unread', permission: 'ecr:BatchGetImage', reason: 'the image manifest was not read' };
  for (const wanted of facts.platforms.wanted) {
    const match = matchPlatform(platformFacts, wanted, facts.platforms.named);
    if (match.match === 'none') return failing('platform-missing', digest, { detail: formatPlatform(wanted), available: match.available });
    if (match.match === 'unknown' && !unread.some((known) => known.permission === match.permission))
      unread.push({ permission: match.permission, reason: match.reason });
    if (match.match === 'compatible') fallback ??= match.platform;
  }

  const warnings: ImageWarning[] = [];
  const notChecked: ImageUnread[] = [];
  if (facts.lifecycle.status === 'read') {
    const warning = lifecycleWarning(facts.lifecycle.rules, stored.image, images, facts.now, LIFECYCLE_HORIZON_MS, facts.referencedByIndex);
    if (warning) warnings.push(warning);
  } else if (facts.lifecycle.status === 'unread') notChecked.push({ permission: facts.lifecycle.permission, reason: facts.lifecycle.reason });

  if (unread.length > 0) return conditional(unread, digest, warnings);
  return {
    status: 'judged',
    state: 'present',
    digest,
    ...(fallback ? { fallback } : {}),
    warnings,
    ...(notChecked.length > 0 ? { notChecked } : {}),
  };
}

/** The worse of two image findings: a failing state, then a conditional, then present (the first kept on a tie). */
export function worseImage(a: ImageFinding, b: ImageFinding): ImageFinding {
  const rank = (finding: ImageFinding): number => (finding.status === 'conditional' ? 1 : finding.state === 'present' ? 0 : 2);
  return rank(b) > rank(a) ? b : a;
}
