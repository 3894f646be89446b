// Whether an image holds a puller's platform, as docker's pull decides it: pure tables.
//   [only]       containerd/platforms compare.go `Only` (Apache-2.0), used by moby distribution/pull_v2_unix.go
//                `filterManifests`: amd64 also 386; arm/vN also arm/v(N-1)…v5; arm64/v8.x also v8.(x-1)…v8 and arm/v8…v5
//   [normalize]  containerd/platforms database.go normalizeArch: x86_64 → amd64, aarch64 → arm64, arm64/v8 = arm64,
//                arm = arm/v7, armhf = arm/v7, armel = arm/v6, i386 = 386
//   [index]      OCI Image Index / Docker manifest list: one manifest per platform (os, architecture, variant);
//                ECR API Reference, "BatchGetImage" (acceptedMediaTypes) returns it
//   [single]     a single manifest names its platform only in its config blob (OCI image config: os, architecture, variant),
//                served by the ECR API only through GetDownloadUrlForLayer
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptedPlatforms, formatPlatform, matchPlatform, parsePlatform, type IndexEntry, type Platform } from '../../src/domain/image/platform.js';

const p = (text: string): Platform => parsePlatform(text) as Platform;
const entry = (text: string, digest = `sha256:${text.replace(/\W/g, '')}`): IndexEntry => {
  const [os, architecture, variant] = text.split('/');
  return { digest, platform: { os, architecture, ...(variant ? { variant } : {}) } };
};
const index = (...platforms: string[]) => ({ kind: 'index' as const, entries: platforms.map((text) => entry(text)) });

describe('parsePlatform', () => {
  const cases: [string, string | undefined][] = [
    ['linux/amd64', 'linux/amd64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/aarch64', 'linux/arm64'],
    ['linux/x86_64', 'linux/amd64'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['Linux/AMD64', 'linux/amd64'],
    ['linux/i386', 'linux/386'],
    ['linux', undefined],
    ['linux/amd64/v2/extra', undefined],
    ['linux/amd 64', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases)
    it(`[normalize] ${JSON.stringify(text)} → ${expected ?? 'invalid'}`, () => {
      const parsed = parsePlatform(text);
      assert.equal(parsed ? formatPlatform(parsed) : undefined, expected);
    });
});

describe('acceptedPlatforms (docker pull fallbacks)', () => {
  const cases: [string, string[]][] = [
    ['linux/amd64', ['linux/amd64', 'linux/386']],
    ['linux/amd64/v3', ['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386']],
    ['linux/arm/v7', ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm/v6', ['linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm64', ['linux/arm64', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm64/v8.2', ['linux/arm64/v8.2', 'linux/arm64/v8.1', 'linux/arm64', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/s390x', ['linux/s390x']],
  ];
  for (const [wanted, expected] of cases)
    it(`[only] ${wanted} accepts ${expected.join(', ')}`, () => assert.deepEqual(acceptedPlatforms(p(wanted)).map(formatPlatform), expected));
});

describe('matchPlatform', () => {
  const cases: [string, Parameters<typeof matchPlatform>[0], string, boolean, ReturnType<typeof matchPlatform>['match'], string?][] = [
    ['[index] amd64 in an amd64+arm64 index', index('linux/amd64', 'linux/arm64/v8'), 'linux/amd64', true, 'exact'],
    ['[index][normalize] arm64 puller, entry arm64/v8', index('linux/amd64', 'linux/arm64/v8'), 'linux/arm64', true, 'exact'],
    ['[index][normalize] arm64/v8 puller, entry arm64 without variant', index('linux/arm64'), 'linux/arm64/v8', true, 'exact'],
    ['[index] arm64 puller against an amd64-only index: "no matching manifest for linux/arm64/v8"', index('linux/amd64'), 'linux/arm64/v8', true, 'none'],
    ['[only] arm64 puller takes arm/v7 when no arm64 entry', index('linux/amd64', 'linux/arm/v7'), 'linux/arm64', true, 'compatible', 'linux/arm/v7'],
    ['[only] amd64 puller takes 386', index('linux/386'), 'linux/amd64', true, 'compatible', 'linux/386'],
    ['[only] arm/v6 puller does not take arm/v7', index('linux/arm/v7'), 'linux/arm/v6', true, 'none'],
    ['[only] arm/v7 puller takes arm/v6', index('linux/arm/v6'), 'linux/arm/v7', true, 'compatible', 'linux/arm/v6'],
    ['[index] os differs: windows/amd64 is not linux/amd64', index('windows/amd64'), 'linux/amd64', true, 'none'],
    ['[index] buildx attestation entries (unknown/unknown) are no platform', index('unknown/unknown'), 'linux/amd64', false, 'none'],
    ['[single] config amd64, puller amd64', { kind: 'single', config: p('linux/amd64') }, 'linux/amd64', true, 'exact'],
    ['[single] config amd64, named arm64: the pull refuses it', { kind: 'single', config: p('linux/amd64') }, 'linux/arm64', true, 'none'],
    [
      '[single] config amd64, default platform: a pull without --platform takes it',
      { kind: 'single', config: p('linux/amd64') },
      'linux/arm64',
      false,
      'exact',
    ],
    ['[single] config not read, default platform: pullable', { kind: 'single' }, 'linux/amd64', false, 'exact'],
    ['[single] config not read, named platform: unknown (ecr:GetDownloadUrlForLayer)', { kind: 'single' }, 'linux/amd64', true, 'unknown'],
    ['manifest not read: unknown', { kind: 'unread', permission: 'ecr:BatchGetImage', reason: 'denied' }, 'linux/amd64', false, 'unknown'],
  ];
  for (const [name, facts, wanted, named, expected, fallback] of cases)
    it(name, () => {
      const result = matchPlatform(facts, p(wanted), named);
      assert.equal(result.match, expected);
      if (fallback) assert.equal(result.match === 'compatible' && result.platform, fallback);
    });

  it('[index] platform-missing lists what the index holds, without attestation entries', () => {
    assert.deepEqual(matchPlatform(index('linux/amd64', 'unknown/unknown', 'linux/amd64'), p('linux/arm64'), true), {
      match: 'none',
      available: ['linux/amd64'],
    });
  });
  it('[single] the unknown names ecr:GetDownloadUrlForLayer', () => {
    const result = matchPlatform({ kind: 'single' }, p('linux/arm64'), true);
    assert.equal(result.match === 'unknown' && result.permission, 'ecr:GetDownloadUrlForLayer');
  });
});
