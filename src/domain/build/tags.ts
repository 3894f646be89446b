// Docker's and ECR's rules for tags, as pure functions of the input text (issue 28: input rules live
// in domain/, not in the docker adapter).
import { UserError } from '../../errors.js';
import { inert } from '../../util/inert.js';
import type { TagMutability } from '../publish-plan.js';

export type { TagMutability };

/** Docker's (and ECR's) tag rule. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** `<registry>/<repository>:<tag>`, as docker/metadata-action writes its `tags` output. */
const REFERENCE = /^([^/\s]+)\/([^:@\s]+):([^:/@\s]+)$/;

/** Why a value of the `tags` input can never be used (undefined: a bare tag or a full reference, checked later). */
export function tagInputProblem(value: string): string | undefined {
  if (IMAGE_TAG.test(value)) return undefined;
  if (value.includes('@')) return 'is a digest reference; give tags (a bare tag such as v1.2.3, or <registry>/<repository>:<tag>).';
  const reference = REFERENCE.exec(value);
  if (reference)
    return IMAGE_TAG.test(reference[3])
      ? undefined
      : `has the tag ${inert(reference[3])}, which is not a valid image tag (up to 128 letters, digits, \`_\`, \`.\` and \`-\`, not starting with \`.\` or \`-\`).`;
  if (value.includes('/') && !value.includes(':')) return 'names an image without a tag; give <registry>/<repository>:<tag> or a bare tag.';
  return "is not a valid image tag: use up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`, or a full reference <registry>/<repository>:<tag> (docker/metadata-action's `tags` output).";
}

/**
 * The bare tags to push. Full references (metadata-action's output) are accepted when they name this
 * registry and repository, and refused otherwise: this action pushes to one repository only.
 */
export function resolveTags(values: string[], registryHost: string, repository: string): string[] {
  const tags: string[] = [];
  for (const value of values) {
    const reference = REFERENCE.exec(value);
    if (!reference) {
      tags.push(value);
      continue;
    }
    const [, host, name, tag] = reference;
    if (host.toLowerCase() !== registryHost.toLowerCase() || name !== repository) {
      throw new UserError(
        `tags: "${inert(value)}" names the image ${inert(`${host}/${name}`)}, not ${registryHost}/${repository}, the only repository this step pushes to. ` +
          `Give bare tags, or set docker/metadata-action's \`images:\` to ${registryHost}/${repository} (the \`registry\` output of an earlier step, or of this action, followed by /${repository}).`,
      );
    }
    tags.push(tag);
  }
  return [...new Set(tags)];
}

/**
 * A git ref's name as an image tag, as docker/metadata-action does (`type=ref,event=tag`): characters
 * a tag may not hold become `-`, and a leading `.` or `-` is dropped. Undefined when nothing is left.
 */
export function refNameAsTag(name: string): string | undefined {
  const tag = name
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
  return IMAGE_TAG.test(tag) ? tag : undefined;
}

/** ECR's WILDCARD filter: `*` matches any run of characters, everything else itself. Linear, no regex. */
export function wildcardMatches(filter: string, tag: string): boolean {
  const parts = filter.split('*');
  if (parts.length === 1) return filter === tag;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!tag.startsWith(first) || tag.length < first.length + last.length || !tag.endsWith(last)) return false;
  let position = first.length;
  const end = tag.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = tag.indexOf(middle, position);
    if (found === -1 || found + middle.length > end) return false;
    position = found + middle.length;
  }
  return true;
}

/** Whether pushing `tag` again would be refused: IMMUTABLE_WITH_EXCLUSION is judged by its filters. */
export function tagIsImmutable(mutability: TagMutability, tag: string): boolean {
  const excluded = mutability.exclusionFilters.some((filter) => wildcardMatches(filter, tag));
  switch (mutability.mode) {
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded;
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded;
    default:
      return false;
  }
}

/** ECR's rule for an exclusion filter (PutImageTagMutability API reference). */
export const EXCLUSION_FILTER = /^[0-9a-zA-Z._*-]{1,128}$/;

/** `image-tag-mutability-exclusion-filters`: 1 to 5 WILDCARD filters (ECR's limits). */
export function readExclusionFilters(value: string): string[] {
  const filters = [
    ...new Set(
      value
        .split(/[,\n]/)
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
  for (const filter of filters) {
    if (!EXCLUSION_FILTER.test(filter)) {
      throw new UserError(
        `image-tag-mutability-exclusion-filters: "${inert(filter)}" is not an ECR wildcard filter (up to 128 letters, digits, \`._-\` and \`*\`).`,
      );
    }
  }
  if (filters.length > 5) throw new UserError(`image-tag-mutability-exclusion-filters: ${filters.length} filters given; ECR allows at most 5.`);
  return filters;
}
