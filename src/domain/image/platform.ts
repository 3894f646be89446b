/**
 * Whether an image holds a puller's platform, as docker's pull decides it.
 *
 * An image index (OCI "Image Index" / Docker manifest list) lists one manifest per platform
 * (`platform.os`, `.architecture`, `.variant`); ECR returns it through ecr:BatchGetImage
 * (acceptedMediaTypes naming the index types). docker pull picks an entry with containerd's
 * `platforms.Only(p)` on the normalized platform (moby distribution/pull_v2_unix.go `filterManifests`;
 * containerd/platforms compare.go and database.go, Apache-2.0): the platform itself first, then what it
 * also runs — amd64/vN also v(N-1)…v1 and 386; arm/vN also arm/v(N-1)…v5; arm64/v8.x also v8.(x-1)…v8
 * and arm/v8…v5. Normalization: x86_64/x86-64 → amd64, aarch64 → arm64, arm64 variant v8 = none, arm
 * without variant = v7, armhf = arm/v7, armel = arm/v6, i386 = 386. No entry matching: "no matching
 * manifest for linux/arm64/v8 in the manifest list entries".
 *
 * A single manifest carries its platform only in its config blob (`os`, `architecture`, `variant`),
 * which the ECR API serves only through ecr:GetDownloadUrlForLayer and a download. docker pulls a
 * single manifest whatever the host is unless a platform is asked for explicitly; so a single manifest
 * whose config was not read is pullable for a puller that named no platform, and unknown for one that did.
 */

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface IndexEntry {
  digest: string;
  platform?: Platform;
}

/** What is known of the image's platforms: an index's entries, a single manifest (with its config when read), or nothing. */
export type PlatformFacts =
  { kind: 'index'; entries: IndexEntry[] } | { kind: 'single'; config?: Platform } | { kind: 'unread'; permission: string; reason: string };

export type PlatformMatch =
  | { match: 'exact'; entry?: IndexEntry }
  /** Docker takes a compatible platform (e.g. 386 for amd64): pullable; `platform` says which. */
  | { match: 'compatible'; entry?: IndexEntry; platform: string }
  | { match: 'none'; available: string[] }
  | { match: 'unknown'; permission: string; reason: string };

/** `linux/arm64/v8` → parts; undefined when it is not `os/arch[/variant]`. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[A-Za-z0-9._-]+$/.test(part))) return undefined;
  const [os, architecture, variant] = parts;
  return normalize({ os, architecture, variant });
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** containerd's normalizeOS/normalizeArch (database.go), so that `aarch64` and `arm64/v8` are one platform. */
export function normalize(platform: Platform): Platform {
  const os = platform.os.toLowerCase() === 'macos' ? 'darwin' : platform.os.toLowerCase();
  let architecture = platform.architecture.toLowerCase();
  let variant = (platform.variant ?? '').toLowerCase();
  switch (architecture) {
    case 'i386':
      architecture = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (['8', 'v8', 'v8.0'].includes(variant)) variant = '';
      if (['9', '9.0', 'v9.0'].includes(variant)) variant = 'v9';
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (['5', '6', '8'].includes(variant)) variant = `v${variant}`;
      break;
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

const versionOf = (variant: string | undefined): number => Number.parseInt((variant ?? '').replace(/^v/, ''), 10);

/**
 * The platforms a pull for `wanted` accepts, best first (containerd `platformVector`). The arm64/v9
 * branch is kept to v8.x and v9 (rare on servers): arm64/v9.x accepts v9.(x-1)…v9 and v8.(x+5)…v8.
 */
export function acceptedPlatforms(wanted: Platform): Platform[] {
  const platform = normalize(wanted);
  const { os } = platform;
  const vector: Platform[] = [platform];
  if (platform.architecture === 'amd64') {
    for (let version = versionOf(platform.variant) - 1; version >= 1; version--) vector.push(normalize({ os, architecture: 'amd64', variant: `v${version}` }));
    vector.push({ os, architecture: '386' });
  } else if (platform.architecture === 'arm') {
    for (let version = versionOf(platform.variant) - 1; version >= 5; version--) vector.push({ os, architecture: 'arm', variant: `v${version}` });
  } else if (platform.architecture === 'arm64') {
    const variant = platform.variant ?? 'v8';
    const [majorText, minorText] = variant.replace(/^v/, '').split('.');
    let major = Number.parseInt(majorText, 10);
    let minor = minorText === undefined ? 0 : Number.parseInt(minorText, 10);
    if (major >= 8 && Number.isFinite(minor)) {
      if (major === 9) {
        for (let m = minor - 1; m >= 0; m--) vector.push({ os, architecture: 'arm64', variant: m === 0 ? 'v9' : `v9.${m}` });
        minor = Math.min(minor + 5, 9);
        major = 8;
        vector.push({ os, architecture: 'arm64', variant: `v8.${minor}` });
      }
      for (let m = minor - 1; m >= 0; m--) vector.push(normalize({ os, architecture: 'arm64', variant: m === 0 ? `v${major}` : `v${major}.${m}` }));
    }
    const armVariant = /^v[89]\./.test(variant) ? 'v8' : variant === 'v9' ? 'v8' : variant;
    vector.push(...acceptedPlatforms({ os, architecture: 'arm', variant: armVariant }));
  }
  return vector;
}

const samePlatform = (a: Platform, b: Platform): boolean => a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');

/**
 * Whether the image holds `wanted`. `named`: the puller named its platforms (a pull with `--platform`);
 * false when the default is assumed, and then a single manifest is pulled whatever it holds.
 */
export function matchPlatform(facts: PlatformFacts, wanted: Platform, named: boolean): PlatformMatch {
  const accepted = acceptedPlatforms(wanted);
  if (facts.kind === 'unread') return { match: 'unknown', permission: facts.permission, reason: facts.reason };
  if (facts.kind === 'single') {
    if (!facts.config) {
      if (!named) return { match: 'exact' };
      return {
        match: 'unknown',
        permission: 'ecr:GetDownloadUrlForLayer',
        reason: `a single-platform image names its platform only in its config blob, which was not read; a pull for ${formatPlatform(normalize(wanted))} refuses another platform`,
      };
    }
    const config = normalize(facts.config);
    const rank = accepted.findIndex((platform) => samePlatform(platform, config));
    if (rank === 0) return { match: 'exact' };
    if (rank > 0) return { match: 'compatible', platform: formatPlatform(config) };
    return named ? { match: 'none', available: [formatPlatform(config)] } : { match: 'exact' };
  }
  const entries = facts.entries.filter((entry) => entry.platform).map((entry) => ({ entry, platform: normalize(entry.platform as Platform) }));
  for (const [rank, platform] of accepted.entries()) {
    const found = entries.find((candidate) => samePlatform(candidate.platform, platform));
    if (found)
      return rank === 0 ? { match: 'exact', entry: found.entry } : { match: 'compatible', entry: found.entry, platform: formatPlatform(found.platform) };
  }
  // Entries such as buildx's attestation manifests carry `unknown/unknown`: listed, never pulled as a platform.
  const available = [...new Set(entries.map(({ platform }) => formatPlatform(platform)).filter((name) => name !== 'unknown/unknown'))];
  return { match: 'none', available };
}
