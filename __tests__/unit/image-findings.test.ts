// The image layer's words (report/findings.ts imageFindings, render.ts imageLabel): each failing state
// names its fix, text from AWS is escaped and bounded, a lifecycle warning names the rule's priority.
// States and fixes as issue 26 lists them from the ECR User Guide ("Archiving an image", "Private image
// replication", "Replication backfill") and the AWS KMS Developer Guide ("Key states").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RepositoryVerdict } from '../../src/domain/checks/model.js';
import { withImage } from '../../src/domain/checks/verdict.js';
import { FIX, type ImageFinding, type ImageState } from '../../src/domain/image/result.js';
import { imageFindings } from '../../src/report/findings.js';
import { imageLabel } from '../../src/report/render.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const cell: RepositoryVerdict = {
  repository: 'team/app',
  puller: 'staging',
  arn: 'arn:aws:ecr:us-west-2:153263036946:repository/team/app',
  exists: true,
  stalePrincipals: [],
  grantWritten: false,
  allowlistAdded: false,
  drift: false,
  replica: { kind: 'replica', sourceRegion: 'us-east-2', created: true },
};
const judged = (state: ImageState, extra: Partial<Extract<ImageFinding, { status: 'judged' }>> = {}): ImageFinding => ({
  status: 'judged',
  state,
  digest: DIGEST,
  ...(state === 'present' ? {} : { fix: FIX[state as Exclude<ImageState, 'present'>] }),
  warnings: [],
  ...extra,
});

describe('image findings in words (issue 26)', () => {
  const expected: [ImageState, RegExp][] = [
    ['absent', /manifest unknown.*Push it again/],
    [
      'archived',
      /aws ecr update-image-storage-class --registry-id 153263036946 --region us-west-2 --repository-name team\/app --image-id imageDigest=sha256:a+ --target-storage-class STANDARD/,
    ],
    ['activating', /ACTIVATING.*Wait/],
    ['replicating', /IN_PROGRESS.*wait-for-replication/],
    ['replication-failed', /FAILED \(KMS_KEY_NOT_FOUND\).*start-replication-backfill/],
    [
      'not-replicated',
      /pushed before replication was configured.*aws ecr start-replication-backfill --region us-east-2 --destination region=us-west-2,registryId=153263036946/,
    ],
    ['platform-missing', /no manifest for linux\/arm64 \(it holds linux\/amd64\).*Push the platform/],
    ['key-unusable', /\(Disabled\).*aws kms enable-key/],
  ];
  for (const [state, message] of expected) {
    it(`${state}: drift, with its fix`, () => {
      const detail =
        state === 'replication-failed' ? 'KMS_KEY_NOT_FOUND' : state === 'platform-missing' ? 'linux/arm64' : state === 'key-unusable' ? 'Disabled' : undefined;
      const verdict = withImage(
        cell,
        judged(state, { ...(detail ? { detail } : {}), ...(state === 'platform-missing' ? { available: ['linux/amd64'] } : {}) }),
        { chosen: 'input' },
      );
      assert.equal(verdict.drift, true);
      assert.equal(imageLabel(verdict), state);
      const [text] = imageFindings(verdict);
      assert.match(text, message);
    });
  }

  it('present: no drift, no finding; the newest is said as the one checked', () => {
    const verdict = withImage(cell, judged('present'), { chosen: 'newest' });
    assert.equal(verdict.drift, false);
    assert.deepEqual(imageFindings(verdict), []);
  });

  it('expires-soon: a warning naming the rule priority; the verdict stays ok', () => {
    const verdict = withImage(cell, judged('present', { warnings: [{ kind: 'expires-soon', action: 'expire', rulePriority: 7 }] }), { chosen: 'newest' });
    assert.equal(verdict.drift, false);
    assert.equal(imageLabel(verdict), 'present, expires soon');
    assert.match(
      imageFindings(verdict)[0],
      /lifecycle rule 7 .* will expire \(delete\) the newest image sha256:a+ \(no reference in the images input\).*Change lifecycle rule 7/,
    );
  });

  it('conditional: drift naming the permission', () => {
    const verdict = withImage(
      cell,
      { status: 'conditional', unread: [{ permission: 'kms:DescribeKey', reason: 'kms:DescribeKey was denied.' }], warnings: [] },
      { chosen: 'input' },
    );
    assert.equal(verdict.drift, true);
    assert.equal(imageLabel(verdict), 'conditional');
    assert.match(imageFindings(verdict)[0], /Until kms:DescribeKey is readable the pull is "conditional"/);
  });

  it("AWS's text is escaped and bounded: a failure code with control characters and a long tag", () => {
    const verdict = withImage(cell, judged('replication-failed', { detail: `BAD\u001b[31m${'x'.repeat(500)}` }), {
      chosen: 'input',
      tag: `t\u202e${'y'.repeat(300)}`,
    });
    const [text] = imageFindings(verdict);
    assert.ok(!text.includes('\u001b') && !text.includes('\u202e'), text);
    assert.ok(text.length < 1500, String(text.length));
  });
});
