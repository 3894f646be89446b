/** How a repository treats re-pushed tags (ECR's imageTagMutability and its exclusion filters). */
export interface TagMutability {
  /** MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION. */
  mode: string;
  /** WILDCARD filters (`*` = any run of characters). */
  exclusionFilters: string[];
}

/**
 * Which tags a publish pushes, as pure decisions over what the repository holds (data in, data
 * out; the I/O is publish's): ECR refuses to overwrite an immutable tag, and the default tags must
 * keep working on every run of the same workflow.
 */

/** The tags to push once the repository's tag mutability is known. */
export interface TagChoice {
  tags: string[];
  /** `latest` was left out: the repository keeps it immutable, so it could be pushed once only. */
  latestLeftOut: boolean;
  /** The tags ECR would refuse to overwrite: whether they exist decides the next step. */
  immutable: string[];
}

/**
 * With the default tags, `latest` is left out where it would be immutable (every later push to the
 * default branch would fail). Tags named explicitly are never changed.
 */
export function chooseTags(tags: string[], defaultTags: boolean, isImmutable: (tag: string) => boolean): TagChoice {
  const latestLeftOut = defaultTags && tags.includes('latest') && isImmutable('latest');
  const chosen = latestLeftOut ? tags.filter((tag) => tag !== 'latest') : tags;
  return { tags: chosen, latestLeftOut, immutable: chosen.filter(isImmutable) };
}

export type PushDecision =
  /** Build and push these tags. */
  | { kind: 'push' }
  /** A re-run of a commit already published: every immutable default tag is on one image. Push nothing. */
  | { kind: 'published'; digest: string; tags: string[] }
  /** Immutable tags that exist already: the push would fail. */
  | { kind: 'conflict'; taken: string[] };

/**
 * What to do given which immutable tags exist (tag → digest; '' when ECR names no digest). A re-run
 * is recognised only with the default tags, all present, on one image; explicit tags are never reused.
 */
export function decidePush(choice: TagChoice, taken: Map<string, string>, defaultTags: boolean): PushDecision {
  if (taken.size === 0) return { kind: 'push' };
  const digests = new Set(taken.values());
  if (defaultTags && taken.size === choice.immutable.length && digests.size === 1 && !digests.has('')) {
    return { kind: 'published', digest: [...digests][0], tags: choice.immutable };
  }
  return { kind: 'conflict', taken: [...taken.keys()] };
}
