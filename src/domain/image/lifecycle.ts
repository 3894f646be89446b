import type { ExpiresSoon } from './result.js';
import type { ImageRecord } from './status.js';

/**
 * Whether a repository's lifecycle policy (ecr:GetLifecyclePolicy, its JSON text) will expire or
 * archive an image, judged locally from the policy and DescribeImages data.
 *
 * ECR User Guide, "Lifecycle policy properties in Amazon ECR":
 *   rulePriority  "Sets the order in which rules are applied, lowest to highest"; unique per rule.
 *   tagStatus     tagged | untagged | any; "tagged" needs tagPrefixList or tagPatternList,
 *                 "untagged" omits both; "any": "all images have the rule evaluated against them".
 *   tagPatternList / tagPrefixList  "If you specify multiple tags, only the images with all specified
 *                 tags are selected"; patterns take `*` wildcards (at most four per string).
 *   storageClass  standard | archive; the rule selects only images of that class; standard when omitted;
 *                 sinceImageTransitioned requires archive.
 *   countType     imageCountMoreThan (keep the newest countNumber by push time) | sinceImagePushed |
 *                 sinceImagePulled | sinceImageTransitioned, with countUnit days.
 *   action.type   expire | transition (targetStorageClass archive).
 * ECR User Guide, "How lifecycle policies work" (evaluation rules): an image is expired or transitioned
 * by exactly one or zero rules; "An image that matches the tagging requirements of a rule cannot be
 * expired by a rule with a lower priority"; rules can still count images a higher rule marked; an image
 * referenced by a manifest list cannot be expired before the list is; "Expiration is always ordered by
 * pushed_at_time". ECR User Guide, "Creating a lifecycle policy": the affected images are expired or
 * archived "within 24 hours"; a policy acts only in its own region (a replica has its own).
 */

export interface LifecycleRule {
  rulePriority: number;
  tagStatus: 'tagged' | 'untagged' | 'any';
  tagPrefixList?: string[];
  tagPatternList?: string[];
  storageClass: 'standard' | 'archive';
  countType: 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned';
  countNumber: number;
  action: 'expire' | 'transition';
}

export type LifecyclePolicyRead = { status: 'read'; rules: LifecycleRule[] } | { status: 'invalid'; reason: string };

const DAY_MS = 24 * 60 * 60 * 1000;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringList = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined);

/** One rule as plain data, or why it cannot be judged (ECR validates policies, so only a stand-in or a newer format fails here). */
function ruleOf(rule: unknown, index: number): LifecycleRule | string {
  const where = `rule ${index + 1}`;
  if (!isObject(rule) || !isObject(rule.selection) || !isObject(rule.action)) return `${where} has no selection or action`;
  const { selection, action } = rule;
  if (typeof rule.rulePriority !== 'number' || !Number.isInteger(rule.rulePriority)) return `${where} has no integer rulePriority`;
  if (selection.tagStatus !== 'tagged' && selection.tagStatus !== 'untagged' && selection.tagStatus !== 'any') return `${where} has an unknown tagStatus`;
  const countTypes = ['imageCountMoreThan', 'sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned'];
  if (typeof selection.countType !== 'string' || !countTypes.includes(selection.countType)) return `${where} has an unknown countType`;
  if (typeof selection.countNumber !== 'number' || selection.countNumber < 0) return `${where} has no countNumber`;
  if (selection.countType !== 'imageCountMoreThan' && selection.countUnit !== undefined && selection.countUnit !== 'days')
    return `${where} counts in ${String(selection.countUnit)}, not days`;
  if (action.type !== 'expire' && action.type !== 'transition') return `${where} has an unknown action type`;
  const storageClass = selection.storageClass ?? 'standard';
  if (storageClass !== 'standard' && storageClass !== 'archive') return `${where} has an unknown storageClass`;
  const tagPrefixList = stringList(selection.tagPrefixList);
  const tagPatternList = stringList(selection.tagPatternList);
  if (selection.tagStatus === 'tagged' && !tagPrefixList?.length && !tagPatternList?.length) return `${where} selects tagged images without a tag list`;
  return {
    rulePriority: rule.rulePriority,
    tagStatus: selection.tagStatus,
    ...(tagPrefixList ? { tagPrefixList } : {}),
    ...(tagPatternList ? { tagPatternList } : {}),
    storageClass,
    countType: selection.countType as LifecycleRule['countType'],
    countNumber: selection.countNumber,
    action: action.type,
  };
}

/** The rules of a policy text, by priority (lowest first), or why they cannot be judged. */
export function parseLifecyclePolicy(text: string): LifecyclePolicyRead {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { status: 'invalid', reason: 'the lifecycle policy is not JSON' };
  }
  if (!isObject(document) || !Array.isArray(document.rules)) return { status: 'invalid', reason: 'the lifecycle policy has no rules list' };
  const rules: LifecycleRule[] = [];
  for (const [index, rule] of document.rules.entries()) {
    const read = ruleOf(rule, index);
    if (typeof read === 'string') return { status: 'invalid', reason: `the lifecycle policy's ${read}` };
    rules.push(read);
  }
  return { status: 'read', rules: rules.sort((a, b) => a.rulePriority - b.rulePriority) };
}

/** `prod*` matches `prod`, `prod1`; the whole tag must match (a `*` is any run of characters). */
function patternMatches(pattern: string, tag: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(tag);
}

/** The storage class an image is in: archive when ARCHIVED; ACTIVE and ACTIVATING (on its way back) count as standard. */
const storageClassOf = (image: ImageRecord): 'standard' | 'archive' => (image.status === 'ARCHIVED' ? 'archive' : 'standard');

/** Whether the rule's tag requirements and storage class select the image ("the tagging requirements of a rule"). */
export function ruleSelects(rule: LifecycleRule, image: ImageRecord): boolean {
  if (storageClassOf(image) !== rule.storageClass) return false;
  if (rule.tagStatus === 'any') return true;
  if (rule.tagStatus === 'untagged') return image.tags.length === 0;
  if (image.tags.length === 0) return false;
  const prefixes = rule.tagPrefixList ?? [];
  const patterns = rule.tagPatternList ?? [];
  // "only the images with all specified tags are selected": every entry matches one of the image's tags.
  return (
    prefixes.every((prefix) => image.tags.some((tag) => tag.startsWith(prefix))) &&
    patterns.every((pattern) => image.tags.some((tag) => patternMatches(pattern, tag)))
  );
}

const time = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

/**
 * When the rule's count criterion is met for the image: `now` (already met: imageCountMoreThan beyond
 * the count), a time (age rules), `never` (within the count), or `unknown` (a time it needs is missing).
 * sinceImagePulled counts from the last recorded pull, or from the push when the image was never
 * pulled (the only time an unpulled image has; lastRecordedPullTime lags by up to 24 hours).
 */
function criteriaMetAt(rule: LifecycleRule, image: ImageRecord, images: readonly ImageRecord[]): number | 'now' | 'never' | 'unknown' {
  const days = rule.countNumber * DAY_MS;
  switch (rule.countType) {
    case 'imageCountMoreThan': {
      // The count is over every image the rule's tag requirements select, newest push first.
      const pushed = (record: ImageRecord): number => time(record.pushedAt) ?? -Infinity;
      const ranked = images.filter((record) => ruleSelects(rule, record)).sort((a, b) => pushed(b) - pushed(a));
      return ranked.findIndex((record) => record.digest === image.digest) >= rule.countNumber ? 'now' : 'never';
    }
    case 'sinceImagePushed': {
      const pushed = time(image.pushedAt);
      return pushed === undefined ? 'unknown' : pushed + days;
    }
    case 'sinceImagePulled': {
      const since = time(image.lastPulledAt) ?? time(image.pushedAt);
      return since === undefined ? 'unknown' : since + days;
    }
    case 'sinceImageTransitioned': {
      const archived = time(image.lastArchivedAt);
      return archived === undefined ? 'unknown' : archived + days;
    }
  }
}

/**
 * The rule that will act on the image, when it will act within `horizonMs` of `now`. Only the first
 * rule (lowest priority number) whose tag requirements select the image may act on it. An image that
 * an index in the repository references is not expired on its own ("cannot be expired without the
 * manifest list being deleted first"); `referencedByIndex` says so. A criterion that needs a time the
 * image does not have is reported as met (a warning errs towards being said).
 */
export function lifecycleWarning(
  rules: readonly LifecycleRule[],
  image: ImageRecord,
  images: readonly ImageRecord[],
  now: number,
  horizonMs: number,
  referencedByIndex = false,
): ExpiresSoon | undefined {
  const rule = [...rules].sort((a, b) => a.rulePriority - b.rulePriority).find((candidate) => ruleSelects(candidate, image));
  if (!rule) return undefined;
  if (rule.action === 'expire' && referencedByIndex) return undefined;
  const met = criteriaMetAt(rule, image, images);
  if (met === 'never') return undefined;
  if (typeof met === 'number' && met > now + horizonMs) return undefined;
  return {
    kind: 'expires-soon',
    action: rule.action,
    rulePriority: rule.rulePriority,
    ...(typeof met === 'number' ? { criteriaMetAt: new Date(met).toISOString() } : {}),
  };
}
