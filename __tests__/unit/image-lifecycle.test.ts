// Lifecycle rules judged locally from the policy JSON and DescribeImages data: pure tables.
//   [props]    ECR User Guide, "Lifecycle policy properties in Amazon ECR" (rulePriority lowest first; tagStatus
//              tagged/untagged/any; tagPrefixList/tagPatternList "only the images with all specified tags are selected";
//              storageClass standard|archive, standard when omitted; countType imageCountMoreThan | sinceImagePushed |
//              sinceImagePulled | sinceImageTransitioned; action expire | transition with targetStorageClass archive)
//   [work]     ECR User Guide, "How lifecycle policies work" (an image is expired or transitioned by exactly one or zero
//              rules; "An image that matches the tagging requirements of a rule cannot be expired by a rule with a lower
//              priority"; an image referenced by a manifest list cannot be expired before the list; ordered by push time)
//   [create]   ECR User Guide, "Creating a lifecycle policy": affected images are expired or archived "within 24 hours"
//   [archive]  ECR User Guide, "Archiving an image" (lifecycle policies can archive; archived images have their own rules)
//   [detail]   ECR API Reference, "ImageDetail": lastRecordedPullTime, lastArchivedAt
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lifecycleWarning, parseLifecyclePolicy, type LifecycleRule } from '../../src/domain/image/lifecycle.js';
import type { ImageRecord } from '../../src/domain/image/status.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
const image = (digest: string, tags: string[], pushedDaysAgo: number, extra: Partial<ImageRecord> = {}): ImageRecord => ({
  digest,
  tags,
  status: 'ACTIVE',
  pushedAt: ago(pushedDaysAgo),
  ...extra,
});
const policy = (...rules: object[]): LifecycleRule[] => {
  const read = parseLifecyclePolicy(JSON.stringify({ rules }));
  assert.equal(read.status, 'read', JSON.stringify(read));
  return read.status === 'read' ? read.rules : [];
};
const rule = (rulePriority: number, selection: object, action: object = { type: 'expire' }) => ({ rulePriority, selection, action });
const untaggedCount = (n: number, priority = 1) => rule(priority, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: n });
const pushedDays = (tagStatus: string, days: number, extra: object = {}, priority = 1, action: object = { type: 'expire' }) =>
  rule(priority, { tagStatus, countType: 'sinceImagePushed', countUnit: 'days', countNumber: days, ...extra }, action);

const PINNED = image('sha256:pinned', [], 3);
const NEWER = image('sha256:newer', [], 1);
const NEWEST = image('sha256:newest', ['latest'], 0);

describe('lifecycleWarning', () => {
  const cases: [string, LifecycleRule[], ImageRecord, ImageRecord[], string | undefined][] = [
    ['[props] no rules: nothing goes', [], PINNED, [PINNED], undefined],
    ['[props] untagged, keep 1: the older untagged digest goes (its last tag moved)', policy(untaggedCount(1)), PINNED, [PINNED, NEWER, NEWEST], 'expire@1'],
    ['[props] untagged, keep 2: within the count', policy(untaggedCount(2)), PINNED, [PINNED, NEWER, NEWEST], undefined],
    ['[props] untagged rule does not select a tagged image', policy(untaggedCount(0)), NEWEST, [PINNED, NEWER, NEWEST], undefined],
    ['[props] sinceImagePushed 14 days, pushed 20 days ago: due', policy(pushedDays('any', 14)), image('sha256:a', ['v1'], 20), [], 'expire@1'],
    ['[props] sinceImagePushed 14 days, pushed 13.5 days ago: within the day', policy(pushedDays('any', 14)), image('sha256:a', ['v1'], 13.5), [], 'expire@1'],
    ['[props] sinceImagePushed 14 days, pushed 3 days ago: not soon', policy(pushedDays('any', 14)), image('sha256:a', ['v1'], 3), [], undefined],
    [
      '[props] tagPrefixList prod selects prod-1',
      policy(pushedDays('tagged', 1, { tagPrefixList: ['prod'] })),
      image('sha256:a', ['prod-1'], 5),
      [],
      'expire@1',
    ],
    [
      '[props] tagPrefixList prod does not select dev-1',
      policy(pushedDays('tagged', 1, { tagPrefixList: ['prod'] })),
      image('sha256:a', ['dev-1'], 5),
      [],
      undefined,
    ],
    [
      '[props] tagPatternList prod* selects prod1',
      policy(pushedDays('tagged', 1, { tagPatternList: ['prod*'] })),
      image('sha256:a', ['prod1'], 5),
      [],
      'expire@1',
    ],
    [
      '[props] tagPatternList matches whole tags: *prod does not select prod1',
      policy(pushedDays('tagged', 1, { tagPatternList: ['*prod'] })),
      image('sha256:a', ['prod1'], 5),
      [],
      undefined,
    ],
    [
      '[props] multiple patterns: only images with all of them are selected',
      policy(pushedDays('tagged', 1, { tagPatternList: ['prod*', 'v*'] })),
      image('sha256:a', ['prod1'], 5),
      [],
      undefined,
    ],
    [
      '[props] multiple patterns: an image with all of them is selected',
      policy(pushedDays('tagged', 1, { tagPatternList: ['prod*', 'v*'] })),
      image('sha256:a', ['prod1', 'v2'], 5),
      [],
      'expire@1',
    ],
    [
      '[work] the first rule whose tags select the image decides: a keep-9999 rule protects prod from a later any rule',
      policy(rule(1, { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'imageCountMoreThan', countNumber: 9999 }), pushedDays('any', 1, {}, 2)),
      image('sha256:a', ['prod1'], 30),
      [image('sha256:a', ['prod1'], 30)],
      undefined,
    ],
    [
      '[work] rulePriority order, not the order in the document',
      policy(pushedDays('any', 1, {}, 5), rule(2, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 100 })),
      image('sha256:a', ['v1'], 30),
      [image('sha256:a', ['v1'], 30)],
      undefined,
    ],
    [
      '[work] a later rule acts when the first does not select the image',
      policy(untaggedCount(1, 1), pushedDays('any', 7, {}, 2)),
      image('sha256:a', ['v1'], 30),
      [],
      'expire@2',
    ],
    [
      '[props] transition to archive is said as a transition',
      policy(pushedDays('any', 14, {}, 1, { type: 'transition', targetStorageClass: 'archive' })),
      image('sha256:a', ['v1'], 20),
      [],
      'transition@1',
    ],
    [
      '[props][detail] sinceImagePulled counts from lastRecordedPullTime',
      policy(
        rule(1, { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 }, { type: 'transition', targetStorageClass: 'archive' }),
      ),
      image('sha256:a', ['v1'], 90, { lastPulledAt: ago(2) }),
      [],
      undefined,
    ],
    [
      '[props][detail] sinceImagePulled, last pull 40 days ago: due',
      policy(rule(1, { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 })),
      image('sha256:a', ['v1'], 90, { lastPulledAt: ago(40) }),
      [],
      'expire@1',
    ],
    [
      '[props] sinceImagePulled, never pulled: counted from the push',
      policy(rule(1, { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 })),
      image('sha256:a', ['v1'], 40),
      [],
      'expire@1',
    ],
    [
      '[props][archive] a rule on archive storage does not select an active image',
      policy(rule(1, { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 })),
      image('sha256:a', ['v1'], 400),
      [],
      undefined,
    ],
    [
      '[props] imageCountMoreThan counts only images the rule selects, newest push first',
      policy(rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 })),
      image('sha256:old', ['v1'], 10),
      [image('sha256:old', ['v1'], 10), image('sha256:new', ['v2'], 1), image('sha256:other', ['dev'], 0)],
      'expire@1',
    ],
    [
      '[archive] archived images are not counted by a standard rule',
      policy(rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 })),
      image('sha256:old', ['v1'], 10),
      [image('sha256:old', ['v1'], 10), image('sha256:new', ['v2'], 1, { status: 'ARCHIVED' })],
      undefined,
    ],
  ];
  for (const [name, rules, target, images, expected] of cases)
    it(name, () => {
      const warning = lifecycleWarning(rules, target, images.length ? images : [target], NOW, DAY);
      assert.equal(warning ? `${warning.action}@${warning.rulePriority}` : undefined, expected);
    });

  it('[work] a child of an index is not expired on its own', () => {
    assert.equal(lifecycleWarning(policy(untaggedCount(0)), PINNED, [PINNED], NOW, DAY, true), undefined);
  });
  it('[create] the warning says when the criteria are met', () => {
    const warning = lifecycleWarning(policy(pushedDays('any', 14)), image('sha256:a', [], 20), [], NOW, DAY);
    assert.equal(warning?.criteriaMetAt, ago(6));
  });
  it('[props] imageCountMoreThan has no time: the image goes at the next evaluation', () => {
    const warning = lifecycleWarning(policy(untaggedCount(0)), PINNED, [PINNED], NOW, DAY);
    assert.deepEqual(warning, { kind: 'expires-soon', action: 'expire', rulePriority: 1 });
  });
});

describe('parseLifecyclePolicy', () => {
  const cases: [string, string, string | undefined][] = [
    ['not JSON', '{', 'the lifecycle policy is not JSON'],
    ['no rules', '{}', 'the lifecycle policy has no rules list'],
    [
      'an unknown countType',
      JSON.stringify({ rules: [rule(1, { tagStatus: 'any', countType: 'sinceForever', countNumber: 1 })] }),
      "the lifecycle policy's rule 1 has an unknown countType",
    ],
    [
      'an unknown action',
      JSON.stringify({ rules: [rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, { type: 'shred' })] }),
      "the lifecycle policy's rule 1 has an unknown action type",
    ],
    [
      '[props] tagged without a list',
      JSON.stringify({ rules: [rule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 })] }),
      "the lifecycle policy's rule 1 selects tagged images without a tag list",
    ],
    [
      '[props] a valid transition rule',
      JSON.stringify({ rules: [pushedDays('any', 1, {}, 1, { type: 'transition', targetStorageClass: 'archive' })] }),
      undefined,
    ],
  ];
  for (const [name, text, reason] of cases)
    it(name, () => {
      const read = parseLifecyclePolicy(text);
      assert.equal(read.status === 'invalid' ? read.reason : undefined, reason);
    });
  it('[props] rules come back by priority, lowest first', () => {
    assert.deepEqual(
      policy(pushedDays('any', 1, {}, 9), untaggedCount(1, 3)).map((read) => read.rulePriority),
      [3, 9],
    );
  });
});
