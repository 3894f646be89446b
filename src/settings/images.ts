import { parseDocument } from 'yaml';
import { parsePlatform } from '../domain/image/platform.js';
import type { ImageReference } from '../domain/image/status.js';
import { UserError } from '../errors.js';
import { quoted } from '../util/inert.js';
import { DEFAULT_PLATFORMS, type PlatformChoice } from '../domain/pullers.js';

export { DEFAULT_PLATFORMS, type PlatformChoice };

/**
 * Which image each repository's cells judge (issue 26): the `images` input, a YAML/JSON mapping of
 * repository → one reference or a list (a tag, or a digest `sha256:<64 hex>`, `@` optional), and each
 * puller's `platforms` (`os/arch[/variant]`, default linux/amd64). Validated before anything is read;
 * every error names the input, the entry and the fix.
 */

const MAX_TEXT = 64 * 1024;
const MAX_REFERENCES = 20;
const MAX_PLATFORMS = 10;
/** ECR's repository name pattern (CreateRepository, repositoryName). */
const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Docker's tag grammar (distribution/reference: `[\w][\w.-]{0,127}`). */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** One reference as text → a tag or a digest, or the problem with it (said by the caller with where it stands). */
export function parseReference(text: string): ImageReference | string {
  const value = text.trim().replace(/^@/, '');
  if (value.startsWith('sha256:')) return DIGEST.test(value) ? { digest: value } : 'is not a digest (sha256: and 64 lowercase hex characters)';
  return TAG.test(value) ? { tag: value } : 'is not a tag (letters, digits, _ . -, at most 128, not starting with . or -) nor a digest (sha256:…)';
}

function referencesOf(value: unknown, where: string): ImageReference[] {
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || items.length === 0 || items.some((item) => typeof item !== 'string')) {
    throw new UserError(`${where}: must be a tag, a digest (sha256:…) or a list of them.`);
  }
  if (items.length > MAX_REFERENCES) throw new UserError(`${where}: ${items.length} references; the limit is ${MAX_REFERENCES}.`);
  return items.map((item: string) => {
    const reference = parseReference(item);
    if (typeof reference === 'string') throw new UserError(`${where}: ${quoted(item)} ${reference}.`);
    return reference;
  });
}

/** Parses the `images` input: repository → the references its cells judge. Empty input: an empty map (the newest image is judged and said). */
export function parseImages(value: string): Map<string, ImageReference[]> {
  const images = new Map<string, ImageReference[]>();
  if (value.trim() === '') return images;
  if (value.length > MAX_TEXT) throw new UserError(`images: ${value.length} characters; the limit is ${MAX_TEXT}. Map repositories to tags or digests.`);
  const document = parseDocument(value, { prettyErrors: true, uniqueKeys: true });
  if (document.errors[0]) {
    throw new UserError(
      `images: not a YAML mapping (${document.errors[0].code}). Give one line per repository, e.g. "team/app: sha256:…" or "team/app: [v1.2, latest]".`,
    );
  }
  let mapping: unknown;
  try {
    mapping = document.toJS({ maxAliasCount: 0 });
  } catch {
    throw new UserError('images: aliases are not allowed. Write each repository out in full.');
  }
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
    throw new UserError('images: must be a mapping of repository to tag or digest, e.g. "team/app: sha256:…".');
  }
  for (const [repository, references] of Object.entries(mapping)) {
    if (!REPOSITORY.test(repository) || repository.length > 256)
      throw new UserError(`images: ${quoted(repository)} is not a repository name (lowercase, ECR's pattern).`);
    images.set(repository, referencesOf(references, `images.${repository}`));
  }
  return images;
}

/** A puller's `platforms` field (a list, or one comma-separated string); undefined: the default, not named. */
export function parsePlatforms(value: unknown, where: string): PlatformChoice {
  if (value === undefined || value === null) return DEFAULT_PLATFORMS;
  const items = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(items) || items.some((item) => typeof item !== 'string'))
    throw new UserError(`${where}: must be a list of platforms such as linux/amd64, linux/arm64.`);
  const texts = items.map((item: string) => item.trim()).filter(Boolean);
  if (texts.length === 0) throw new UserError(`${where}: empty. Leave it out for linux/amd64.`);
  if (texts.length > MAX_PLATFORMS) throw new UserError(`${where}: ${texts.length} platforms; the limit is ${MAX_PLATFORMS}.`);
  const wanted = texts.map((text) => {
    const platform = parsePlatform(text);
    if (!platform) throw new UserError(`${where}: ${quoted(text, 40)} is not a platform; write os/architecture[/variant], e.g. linux/arm64 or linux/arm/v7.`);
    return platform;
  });
  return { wanted, named: true };
}
