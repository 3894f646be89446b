// The pure publish rules (which tags to push, a re-run already published, immutable conflicts),
// table-driven like planReconcile. ECR refuses to overwrite an immutable tag (PutImage API
// reference: ImageTagAlreadyExistsException); the default tags must keep working on every run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseTags, decidePush, type PushDecision } from '../../src/domain/publish-plan.js';

const allImmutable = (): boolean => true;
const immutableExceptLatest = (tag: string): boolean => tag !== 'latest';
const mutable = (): boolean => false;

describe('chooseTags', () => {
  const cases: [string, string[], boolean, (tag: string) => boolean, { tags: string[]; latestLeftOut: boolean; immutable: string[] }][] = [
    [
      'default tags, all immutable: latest is left out',
      ['abc123', 'latest'],
      true,
      allImmutable,
      { tags: ['abc123'], latestLeftOut: true, immutable: ['abc123'] },
    ],
    [
      'default tags, latest excluded from immutability: both pushed',
      ['abc123', 'latest'],
      true,
      immutableExceptLatest,
      { tags: ['abc123', 'latest'], latestLeftOut: false, immutable: ['abc123'] },
    ],
    ['explicit tags are never changed', ['v1', 'latest'], false, allImmutable, { tags: ['v1', 'latest'], latestLeftOut: false, immutable: ['v1', 'latest'] }],
    ['a mutable repository: nothing is immutable', ['abc123', 'latest'], true, mutable, { tags: ['abc123', 'latest'], latestLeftOut: false, immutable: [] }],
  ];
  for (const [name, tags, defaults, isImmutable, expected] of cases) it(name, () => assert.deepEqual(chooseTags(tags, defaults, isImmutable), expected));
});

describe('decidePush', () => {
  const choice = chooseTags(['abc123', 'latest'], true, immutableExceptLatest);
  const cases: [string, Map<string, string>, boolean, PushDecision][] = [
    ['nothing there yet: push', new Map(), true, { kind: 'push' }],
    [
      'a re-run: every immutable default tag on one image: push nothing',
      new Map([['abc123', 'sha256:a']]),
      true,
      { kind: 'published', digest: 'sha256:a', tags: ['abc123'] },
    ],
    ['explicit tags that exist: a conflict, never reused', new Map([['abc123', 'sha256:a']]), false, { kind: 'conflict', taken: ['abc123'] }],
    ['a tag ECR names no digest for: a conflict', new Map([['abc123', '']]), true, { kind: 'conflict', taken: ['abc123'] }],
  ];
  for (const [name, taken, defaults, expected] of cases) it(name, () => assert.deepEqual(decidePush(choice, taken, defaults), expected));

  it('default tags on two images: a conflict', () => {
    const two = chooseTags(['abc123', 'v1'], true, allImmutable);
    assert.deepEqual(
      decidePush(
        two,
        new Map([
          ['abc123', 'sha256:a'],
          ['v1', 'sha256:b'],
        ]),
        true,
      ),
      { kind: 'conflict', taken: ['abc123', 'v1'] },
    );
  });

  it('only some immutable default tags there: a conflict', () => {
    const two = chooseTags(['abc123', 'v1'], true, allImmutable);
    assert.deepEqual(decidePush(two, new Map([['abc123', 'sha256:a']]), true), { kind: 'conflict', taken: ['abc123'] });
  });
});
