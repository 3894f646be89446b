// Which image the cells judge (the `images` input) and which platforms a puller pulls (`platforms`):
// tables of inputs and the one clear error each bad one gets.
//   [ref]   docker's reference grammar (distribution/reference): a tag is [\w][\w.-]{0,127}; a digest sha256:<64 hex>
//   [repo]  ECR API Reference, "CreateRepository": repositoryName pattern
//   [plat]  OCI platform os/architecture/variant; containerd platforms normalization
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPlatform } from '../../src/domain/image/platform.js';
import { DEFAULT_PLATFORMS, parseImages, parsePlatforms, parseReference } from '../../src/settings/images.js';
import { UserError } from '../../src/errors.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('parseReference', () => {
  const cases: [string, object | RegExp][] = [
    ['[ref] v1.2', { tag: 'v1.2' }],
    ['[ref] latest', { tag: 'latest' }],
    [DIGEST, { digest: DIGEST }],
    [`@${DIGEST}`, { digest: DIGEST }],
    ['sha256:abc', /is not a digest/],
    [`sha256:${'AB'.repeat(32)}`, /is not a digest/],
    ['-v1', /is not a tag/],
    ['v1:2', /is not a tag/],
    ['x'.repeat(129), /is not a tag/],
  ];
  for (const [text, expected] of cases)
    it(`${text.slice(0, 40)}`, () => {
      const input = text.startsWith('[ref] ') ? text.slice(6) : text;
      const result = parseReference(input);
      if (expected instanceof RegExp) assert.match(String(result), expected);
      else assert.deepEqual(result, expected);
    });
});

describe('parseImages (the images input)', () => {
  const ok: [string, string, [string, object[]][]][] = [
    ['empty: none given (the newest is judged, and said)', '', []],
    ['one digest', `molecule-ai/molecule-platform-agent: "${DIGEST}"`, [['molecule-ai/molecule-platform-agent', [{ digest: DIGEST }]]]],
    ['a list of tag and digest', `team/app: [v1.2, "${DIGEST}"]`, [['team/app', [{ tag: 'v1.2' }, { digest: DIGEST }]]]],
    ['JSON', JSON.stringify({ 'team/app': 'latest' }), [['team/app', [{ tag: 'latest' }]]]],
  ];
  for (const [name, text, expected] of ok) it(name, () => assert.deepEqual([...parseImages(text)], expected));

  const bad: [string, string, RegExp][] = [
    ['a list, not a mapping', '- team/app', /images: must be a mapping of repository to tag or digest/],
    ['[repo] an upper-case repository', 'Team/App: v1', /images: "Team\/App" is not a repository name/],
    ['a bad reference names the entry', 'team/app: "v 1"', /images\.team\/app: "v 1" is not a tag/],
    ['an empty list', 'team/app: []', /images\.team\/app: must be a tag, a digest/],
    ['a number', 'team/app: 3', /images\.team\/app: must be a tag, a digest/],
    ['a duplicate key', 'team/app: v1\nteam/app: v2', /images: not a YAML mapping \(DUPLICATE_KEY\)/],
    ['aliases', 'a: &x v1\nb: *x', /aliases are not allowed/],
  ];
  for (const [name, text, pattern] of bad)
    it(`error: ${name}`, () =>
      assert.throws(
        () => parseImages(text),
        (error: unknown) => error instanceof UserError && pattern.test(error.message),
      ));
});

describe("parsePlatforms (a puller's platforms)", () => {
  it('[plat] not given: linux/amd64, not named', () => assert.deepEqual(parsePlatforms(undefined, 'p'), DEFAULT_PLATFORMS));
  const ok: [unknown, string[]][] = [
    [['linux/arm64'], ['linux/arm64']],
    ['linux/amd64, linux/arm64/v8', ['linux/amd64', 'linux/arm64']],
    [['linux/arm/v7'], ['linux/arm/v7']],
  ];
  for (const [value, expected] of ok)
    it(`[plat] ${JSON.stringify(value)}: named`, () => {
      const choice = parsePlatforms(value, 'p');
      assert.deepEqual([choice.named, choice.wanted.map(formatPlatform)], [true, expected]);
    });
  const bad: [unknown, RegExp][] = [
    [[], /pullers\[0\]\.platforms: empty/],
    ['linux', /"linux" is not a platform; write os\/architecture/],
    [[3], /must be a list of platforms/],
    [Array(11).fill('linux/amd64'), /11 platforms; the limit is 10/],
  ];
  for (const [value, pattern] of bad)
    it(`error: ${JSON.stringify(value).slice(0, 40)}`, () =>
      assert.throws(
        () => parsePlatforms(value, 'pullers[0].platforms'),
        (error: unknown) => error instanceof UserError && pattern.test(error.message),
      ));
});

describe('the pullers input takes platforms', () => {
  const rules = {
    registryRegion: 'us-east-2',
    roleArnProblem: () => undefined,
    policyNameProblem: () => undefined,
    regionProblem: () => undefined,
    assertPartition: () => undefined,
  };
  it('a puller naming its platforms carries them; one that names none carries none (the default applies)', async () => {
    const { parsePullers } = await import('../../src/settings/pullers.js');
    const pullers = parsePullers(
      '- role-arn: arn:aws:iam::111111111111:role/arm\n  platforms: [linux/arm64]\n- role-arn: arn:aws:iam::111111111111:role/plain',
      rules,
    );
    assert.deepEqual(
      pullers.map((puller) => puller.platforms?.wanted.map(formatPlatform)),
      [['linux/arm64'], undefined],
    );
    assert.equal('platforms' in pullers[1], false);
  });
  it('a bad platform names the puller and the field', async () => {
    const { parsePullers } = await import('../../src/settings/pullers.js');
    assert.throws(
      () => parsePullers('- role-arn: arn:aws:iam::111111111111:role/arm\n  platforms: linux', rules),
      /pullers\[0\] \("arn:aws:iam::111111111111:role\/arm"\)\.platforms: "linux" is not a platform/,
    );
  });
});
