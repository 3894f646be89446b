// The image verdict of one cell, as AWS would serve the pull: pure tables over gathered facts.
//   [filter]   ECR API Reference, "DescribeImagesFilter": imageStatus ACTIVE | ARCHIVED | ACTIVATING | ANY; "If not
//              specified, only images with ACTIVE status are returned"
//   [archive]  ECR User Guide, "Archiving an image": "Archived images cannot be pulled. Requests to pull the archived
//              image will fail with a 404 error"; the status is ARCHIVED; restore (UpdateImageStorageClass) → ACTIVATING
//   [repl]     ECR User Guide, "Private image replication in Amazon ECR": "Only repository content pushed to a
//              repository after replication is configured is replicated"
//   [status]   ECR API Reference, "DescribeImageReplicationStatus" / "ImageReplicationStatus": IN_PROGRESS | COMPLETE |
//              FAILED, failureCode
//   [kms]      ECR User Guide, "Encryption at rest"; KMS Developer Guide, "Key states of AWS KMS keys"
//   [index]    OCI image index; containerd platforms.Only (docker's pull)
//   [lcp]      ECR User Guide, "Lifecycle policy properties in Amazon ECR"
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeImageCell, type ImageCellFacts } from '../../src/domain/image/judge.js';
import { judgeKey, type KeyFacts } from '../../src/domain/image/key.js';
import { parseLifecyclePolicy } from '../../src/domain/image/lifecycle.js';
import { replicaAbsence } from '../../src/domain/image/replica.js';
import type { ImageFinding } from '../../src/domain/image/result.js';
import { newestImage, storedState, type ImageRecord } from '../../src/domain/image/status.js';
import { cellImageFacts, placeKey, type EncryptionRead, type ImageFacts } from '../../src/domain/image/facts.js';
import { newImageReadCache } from '../../src/services/images.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const REPO = 'arn:aws:ecr:us-east-2:111111111111:repository/prod/app';
const DIGEST = 'sha256:1c3c000000000000000000000000000000000000000000000000000000000000';
const record = (extra: Partial<ImageRecord> = {}): ImageRecord => ({
  digest: DIGEST,
  tags: ['v1'],
  status: 'ACTIVE',
  pushedAt: '2026-12-06T12:00:00Z',
  ...extra,
});
const AMD64_INDEX = { kind: 'index' as const, entries: [{ digest: 'sha256:c1', platform: { os: 'linux', architecture: 'amd64' } }] };
const KMS_OK: KeyFacts = {
  encryption: 'KMS',
  keyArn: 'arn:aws:kms:us-east-2:111111111111:key/k',
  key: { status: 'read', keyState: 'Enabled', keyManager: 'CUSTOMER' },
  grants: { status: 'read', grants: [{ granteePrincipal: 'ecr.us-east-2.amazonaws.com', operations: ['Decrypt', 'GenerateDataKey'], encryptionContext: {} }] },
};

const facts = (extra: Partial<ImageCellFacts> = {}): ImageCellFacts => ({
  reference: { digest: DIGEST },
  images: { status: 'read', images: [record()] },
  platform: AMD64_INDEX,
  platforms: { wanted: [{ os: 'linux', architecture: 'amd64' }], named: false },
  key: { encryption: 'AES256' },
  lifecycle: { status: 'none' },
  repositoryArn: REPO,
  now: NOW,
  ...extra,
});
const summary = (finding: ImageFinding): string =>
  finding.status === 'conditional'
    ? `conditional:${finding.unread.map((unread) => unread.permission).join(',')}`
    : [finding.state, finding.detail, finding.fix].filter(Boolean).join(':');

describe('judgeImageCell', () => {
  const cases: [string, Partial<ImageCellFacts>, string][] = [
    ['[filter] an ACTIVE digest with the puller platform: present', {}, 'present'],
    ['[filter] a tag that names the image: present', { reference: { tag: 'v1' } }, 'present'],
    ['a digest the repository does not hold: absent, push again', { images: { status: 'read', images: [] } }, 'absent:push-again'],
    ['a repository that does not exist: absent', { images: { status: 'no-repository' } }, 'absent:push-again'],
    ['[archive] an ARCHIVED digest: archived, restore', { images: { status: 'read', images: [record({ status: 'ARCHIVED' })] } }, 'archived:restore'],
    ['[archive] an ACTIVATING digest: activating, wait', { images: { status: 'read', images: [record({ status: 'ACTIVATING' })] } }, 'activating:wait'],
    [
      '[filter] a status this action does not know: conditional, never active',
      { images: { status: 'read', images: [record({ status: 'FROZEN' })] } },
      'conditional:ecr:DescribeImages',
    ],
    [
      '[filter] a record without a status (a server before the archive feature): active',
      { images: { status: 'read', images: [record({ status: undefined })] } },
      'present',
    ],
    ['DescribeImages denied: conditional naming ecr:DescribeImages', { images: { status: 'unread', reason: 'denied' } }, 'conditional:ecr:DescribeImages'],
    [
      '[repl][status] replica without the image, IN_PROGRESS: replicating',
      { images: { status: 'read', images: [] }, replication: { status: 'read', entry: { status: 'IN_PROGRESS' } } },
      'replicating:wait',
    ],
    [
      '[repl][status] replica without the image, FAILED: replication-failed with the code',
      { images: { status: 'read', images: [] }, replication: { status: 'read', entry: { status: 'FAILED', failureCode: 'KMS_ACCESS_DENIED' } } },
      'replication-failed:KMS_ACCESS_DENIED:push-again',
    ],
    [
      '[repl] replica without the image, no replication recorded: not-replicated, backfill',
      { images: { status: 'no-repository' }, replication: { status: 'read' } },
      'not-replicated:backfill',
    ],
    [
      '[repl][status] replica holds it although a status says IN_PROGRESS: present (the destination decides)',
      { replication: { status: 'read', entry: { status: 'IN_PROGRESS' } } },
      'present',
    ],
    [
      '[status] COMPLETE but absent at the destination: absent (removed there after the copy)',
      { images: { status: 'read', images: [] }, replication: { status: 'read', entry: { status: 'COMPLETE' } } },
      'absent:removed-after-replication:push-again',
    ],
    [
      '[status] replication status unread, replica without it: absent (the pull fails; why is unknown)',
      { images: { status: 'read', images: [] }, replication: { status: 'unread', reason: 'denied' } },
      'absent:replication-status-unread:push-again',
    ],
    [
      '[index] an arm64 puller against an amd64-only index: platform-missing',
      { platforms: { wanted: [{ os: 'linux', architecture: 'arm64', variant: 'v8' }], named: true } },
      'platform-missing:linux/arm64/v8:push-platform',
    ],
    [
      '[index] each named platform must be in it',
      {
        platforms: {
          wanted: [
            { os: 'linux', architecture: 'amd64' },
            { os: 'linux', architecture: 's390x' },
          ],
          named: true,
        },
      },
      'platform-missing:linux/s390x:push-platform',
    ],
    [
      '[index] the manifest unread: conditional naming ecr:BatchGetImage',
      { platform: { kind: 'unread', permission: 'ecr:BatchGetImage', reason: 'denied' } },
      'conditional:ecr:BatchGetImage',
    ],
    [
      '[kms] a disabled key: key-unusable',
      { key: { ...KMS_OK, key: { status: 'read', keyState: 'Disabled' } } as KeyFacts },
      'key-unusable:Disabled:enable-key',
    ],
    [
      '[kms] DescribeKey denied: conditional naming kms:DescribeKey',
      { key: { ...KMS_OK, key: { status: 'unread', reason: 'denied' } } as KeyFacts },
      'conditional:kms:DescribeKey',
    ],
    ['[kms] an enabled key with ECR grant: present', { key: KMS_OK }, 'present'],
    [
      // ECR API Reference, "DescribeRepositories": encryptionConfiguration is the repository's; not read, a KMS key could be behind it.
      '[kms] the encryption unread (DescribeRepositories denied or did not list it): conditional naming ecr:DescribeRepositories, never AES256',
      { key: { encryption: 'unread', permission: 'ecr:DescribeRepositories', reason: 'not listed' } },
      'conditional:ecr:DescribeRepositories',
    ],
    [
      '[kms] the encryption unread but the image archived: archived (the pull fails whatever the key)',
      {
        images: { status: 'read', images: [record({ status: 'ARCHIVED' })] },
        key: { encryption: 'unread', permission: 'ecr:DescribeRepositories', reason: 'x' },
      },
      'archived:restore',
    ],
    [
      '[archive] archived wins over a disabled key (restore first)',
      { images: { status: 'read', images: [record({ status: 'ARCHIVED' })] }, key: { ...KMS_OK, key: { status: 'read', keyState: 'Disabled' } } as KeyFacts },
      'archived:restore',
    ],
    [
      'two unknowns are both named',
      {
        key: { ...KMS_OK, key: { status: 'unread', reason: 'denied' } } as KeyFacts,
        platform: { kind: 'unread', permission: 'ecr:BatchGetImage', reason: 'denied' },
      },
      'conditional:kms:DescribeKey,ecr:BatchGetImage',
    ],
  ];
  for (const [name, extra, expected] of cases) it(name, () => assert.equal(summary(judgeImageCell(facts(extra))), expected));

  it('[lcp] present with an expires-soon warning naming the rule priority', () => {
    const read = parseLifecyclePolicy(
      JSON.stringify({
        rules: [{ rulePriority: 7, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 0 }, action: { type: 'expire' } }],
      }),
    );
    assert.equal(read.status, 'read');
    const finding = judgeImageCell(facts({ lifecycle: read.status === 'read' ? read : { status: 'none' } }));
    assert.deepEqual(finding.warnings, [{ kind: 'expires-soon', action: 'expire', rulePriority: 7 }]);
    assert.equal(summary(finding), 'present');
  });
  it('[lcp] the lifecycle policy unread is said, not a condition of the pull', () => {
    const finding = judgeImageCell(facts({ lifecycle: { status: 'unread', permission: 'ecr:GetLifecyclePolicy', reason: 'denied' } }));
    assert.equal(summary(finding), 'present');
    assert.deepEqual(finding.status === 'judged' && finding.notChecked?.map((unread) => unread.permission), ['ecr:GetLifecyclePolicy']);
  });
  it('[index] a compatible platform is present, saying which it takes', () => {
    const finding = judgeImageCell(facts({ platform: { kind: 'index', entries: [{ digest: 'sha256:c', platform: { os: 'linux', architecture: '386' } }] } }));
    assert.equal(finding.status === 'judged' && finding.fallback, 'linux/386');
  });
  it('platform-missing lists what the index holds', () => {
    const finding = judgeImageCell(facts({ platforms: { wanted: [{ os: 'linux', architecture: 'arm64' }], named: true } }));
    assert.deepEqual(finding.status === 'judged' && finding.available, ['linux/amd64']);
  });
});

describe('storedState / newestImage', () => {
  it('[filter] a tag on an archived image names it: archived, not absent', () => {
    assert.equal(storedState([record({ status: 'ARCHIVED' })], { tag: 'v1' }).state, 'archived');
  });
  it('the newest image by push time (said when no reference is given)', () => {
    const images = [record({ digest: 'sha256:a', pushedAt: '2026-01-01T00:00:00Z' }), record({ digest: 'sha256:b', pushedAt: '2026-02-01T00:00:00Z' })];
    assert.equal(newestImage(images)?.digest, 'sha256:b');
  });
});

describe('replicaAbsence', () => {
  const cases: [string, Parameters<typeof replicaAbsence>[0], string][] = [
    ['[status] IN_PROGRESS', { status: 'read', entry: { status: 'IN_PROGRESS' } }, 'replicating'],
    ['[status] FAILED', { status: 'read', entry: { status: 'FAILED' } }, 'replication-failed'],
    ['[repl] no record for the destination', { status: 'read' }, 'not-replicated'],
    ['[status] a status this action does not know', { status: 'read', entry: { status: 'PAUSED' } }, 'absent'],
    // ECR User Guide, "Private image replication": replication (and a backfill) copies what the source holds; a digest the source lacks is pushed again.
    ['[repl] the source itself does not hold the digest', { status: 'not-at-source' }, 'absent'],
  ];
  for (const [name, record, expected] of cases) it(name, () => assert.equal(replicaAbsence(record).state, expected));
});

describe('judgeKey', () => {
  const withState = (keyState: string, keyManager = 'CUSTOMER'): KeyFacts => ({ ...KMS_OK, key: { status: 'read', keyState, keyManager } }) as KeyFacts;
  const cases: [string, KeyFacts, string][] = [
    ['[kms] AES256: no key', { encryption: 'AES256' }, 'true'],
    ['[kms] Enabled with ECR grant', KMS_OK, 'true'],
    [
      '[kms] the encryption itself unread: unknown, naming the read that failed',
      { encryption: 'unread', permission: 'ecr:DescribeRepositories', reason: 'denied' },
      'unknown:ecr:DescribeRepositories',
    ],
    ['[kms] Disabled', withState('Disabled'), 'false:Disabled'],
    ['[kms] PendingDeletion', withState('PendingDeletion'), 'false:PendingDeletion'],
    ['[kms] PendingImport (no key material)', withState('PendingImport'), 'false:PendingImport'],
    ['[kms] Unavailable (custom key store disconnected)', withState('Unavailable'), 'false:Unavailable'],
    ['[kms] Updating: not judged, conditional', withState('Updating'), 'unknown:kms:DescribeKey'],
    ['[kms] AWS managed key (aws/ecr): no grant needed', { ...withState('Enabled', 'AWS'), grants: { status: 'read', grants: [] } } as KeyFacts, 'true'],
    ['[kms] customer key without ECR grant: revoked', { ...KMS_OK, grants: { status: 'read', grants: [] } }, 'false:grant-revoked'],
    [
      "[kms] a grant without Decrypt is not ECR's use",
      {
        ...KMS_OK,
        grants: { status: 'read', grants: [{ granteePrincipal: 'ecr.us-east-2.amazonaws.com', operations: ['DescribeKey'], encryptionContext: {} }] },
      },
      'false:grant-revoked',
    ],
    [
      '[kms] a grant constrained to this repository (aws:ecr:arn) to ECR counts',
      {
        ...KMS_OK,
        grants: {
          status: 'read',
          grants: [{ granteePrincipal: 'ecr.us-east-2.amazonaws.com', operations: ['Decrypt'], encryptionContext: { 'aws:ecr:arn': REPO } }],
        },
      },
      'true',
    ],
    [
      // ECR User Guide, "Encryption at rest": ECR adds a grant per repository, to ECR; this context to another grantee is not it.
      "[kms] a grant with this repository context to another grantee is not ECR's",
      {
        ...KMS_OK,
        grants: {
          status: 'read',
          grants: [{ granteePrincipal: 'arn:aws:iam::999999999999:role/x', operations: ['Decrypt'], encryptionContext: { 'aws:ecr:arn': REPO } }],
        },
      },
      'false:grant-revoked',
    ],
    [
      '[kms] a shared key: the grant ECR holds for another repository does not decrypt this one',
      {
        ...KMS_OK,
        grants: {
          status: 'read',
          grants: [{ granteePrincipal: 'ecr.us-east-2.amazonaws.com', operations: ['Decrypt'], encryptionContext: { 'aws:ecr:arn': `${REPO}-other` } }],
        },
      },
      'false:grant-revoked',
    ],
    ['[kms] ListGrants denied: conditional naming kms:ListGrants', { ...KMS_OK, grants: { status: 'unread', reason: 'denied' } }, 'unknown:kms:ListGrants'],
  ];
  for (const [name, key, expected] of cases)
    it(name, () => {
      const verdict = judgeKey(key, REPO);
      const text = verdict.usable === 'unknown' ? `unknown:${verdict.permission}` : verdict.usable ? 'true' : `false:${verdict.detail}`;
      assert.equal(text, expected);
    });
});

describe('cellImageFacts: the encryption a cell is judged with', () => {
  // ECR API Reference, "DescribeRepositories": a repository's encryptionConfiguration (AES256 or KMS with kmsKey).
  // A fact the run could not read is never a pass: a repository missing from the answer is not AES256.
  const place = { registry: { registryId: '111111111111', region: 'us-east-2' }, repository: 'prod/app' };
  const gathered = (encryption: [string, EncryptionRead | undefined][]): ImageFacts => ({
    images: new Map([[placeKey(place.registry, place.repository), { status: 'read', images: [record()] }]]),
    lifecycle: new Map(),
    encryption: new Map(encryption),
    platforms: new Map([[DIGEST, AMD64_INDEX]]),
    replication: new Map(),
    keys: new Map(),
    checked: new Map(),
  });
  const judged = (encryption: [string, EncryptionRead | undefined][]): string =>
    summary(
      judgeImageCell(
        cellImageFacts(
          gathered(encryption),
          place,
          { repository: place.repository, reference: { digest: DIGEST }, chosen: 'input' },
          { wanted: [{ os: 'linux', architecture: 'amd64' }], named: false },
          REPO,
          NOW,
        ),
      ),
    );
  const key = placeKey(place.registry, place.repository);
  const cases: [string, [string, EncryptionRead | undefined][], string][] = [
    ['[kms] listed as AES256: present', [[key, { encryption: 'AES256' }]], 'present'],
    ['[kms] not listed by DescribeRepositories: conditional naming ecr:DescribeRepositories', [], 'conditional:ecr:DescribeRepositories'],
    [
      '[kms] DescribeRepositories denied: conditional naming ecr:DescribeRepositories',
      [[key, { encryption: 'unread', permission: 'ecr:DescribeRepositories', reason: 'denied' }]],
      'conditional:ecr:DescribeRepositories',
    ],
    [
      '[kms] KMS with the key not read: conditional naming kms:DescribeKey',
      [[key, { encryption: 'KMS', keyArn: KMS_OK.encryption === 'KMS' ? KMS_OK.keyArn : '' }]],
      'conditional:kms:DescribeKey',
    ],
  ];
  for (const [name, encryption, expected] of cases) it(name, () => assert.equal(judged(encryption), expected));
});

describe('newImageReadCache: prefetched reads are bounded', () => {
  it('never more than the limit in flight; every read runs, in order', async () => {
    const cache = newImageReadCache(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const read = (index: number) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      order.push(index);
      return index;
    };
    const results = await Promise.all(Array.from({ length: 7 }, (_, index) => cache.slot(read(index))));
    assert.deepEqual([results, peak, order.length], [[0, 1, 2, 3, 4, 5, 6], 2, 7]);
  });
  it('a failing read frees its slot', async () => {
    const cache = newImageReadCache(1);
    await assert.rejects(cache.slot(() => Promise.reject(new Error('denied'))));
    assert.equal(await cache.slot(async () => 'next'), 'next');
  });
});
