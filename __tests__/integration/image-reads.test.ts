// The image layer's reads (src/adapters/aws/images.ts) against moto, extended by the image block of
// stack/moto-server.py (imageStatus and the ANY filter, UpdateImageStorageClass, replication status
// hooks, lifecycle `transition`, ECR's grant on a KMS key), each read judged by domain/image as AWS
// would serve the pull: an archived digest, a restore, replication never recorded / in progress /
// failed / complete, an arm64 puller against an amd64-only index, a lifecycle rule that will take the
// digest, a disabled key, a key pending deletion, ECR's grant revoked, and denials naming the permission.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateKeyCommand, DisableKeyCommand, KMSClient, ListGrantsCommand, RevokeGrantCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { readEncryption, readImages, readKey, readLifecycle, readPlatforms, readReplicationStatuses } from '../../src/adapters/aws/images.js';
import { judgeImageCell, type ImageCellFacts } from '../../src/domain/image/judge.js';
import { judgeKey } from '../../src/domain/image/key.js';
import { matchPlatform, parsePlatform, type Platform } from '../../src/domain/image/platform.js';
import type { ImageFinding } from '../../src/domain/image/result.js';
import { ecrIn } from '../../stack/aws.js';
import { PROD_ACCOUNT, REGION, useMoto } from '../../stack/fixture.js';
import {
  createImageRepository,
  imageIndex,
  imageManifest,
  kmsIn,
  moveStorageClass,
  putLifecycle,
  putManifest,
  setImageState,
  setReplicationStatus,
  type ImagePlace,
} from '../../stack/images.js';
import { enforceIam, keysAllowedOnly } from '../../stack/organizations.js';
import { cellImageFacts, placeKey, type ImagePlace as ImagePlaceOfService } from '../../src/domain/image/facts.js';
import { gatherImageFacts, judgePushedImage, newImageReadCache, prefetchImageReads, type GatherImagesInput } from '../../src/services/images.js';
import { DEFAULT_PLATFORMS, type PlatformChoice } from '../../src/settings/images.js';

const WHO = 'the test credentials';
const SOURCE: ImagePlace = { account: PROD_ACCOUNT, region: REGION, repository: 'prod/app' };
const REPLICA: ImagePlace = { ...SOURCE, region: 'us-west-2' };
const repositoryArn = (place: ImagePlace) => `arn:aws:ecr:${place.region}:${place.account}:repository/${place.repository}`;
const platform = (text: string) => parsePlatform(text) as Platform;

const stack = useMoto({ bare: true });
const ecr = (place: ImagePlace = SOURCE): ECRClient => ecrIn(stack.endpoint, place.account, place.region);

/** Reads everything one cell needs from moto, as the service will, and judges it. */
async function judge(place: ImagePlace, digest: string, extra: Partial<ImageCellFacts> = {}, kms?: KMSClient): Promise<ImageFinding> {
  const images = await readImages(ecr(place), place.account, place.repository, WHO);
  const encryption = (await readEncryption(ecr(place), place.account, [place.repository], WHO)).get(place.repository) ?? { encryption: 'AES256' as const };
  const key = encryption.encryption === 'KMS' && kms ? await readKey(kms, encryption.keyArn, WHO) : { encryption: 'AES256' as const };
  return judgeImageCell({
    reference: { digest },
    images,
    platform:
      images.status === 'read' && images.images.some((image) => image.digest === digest)
        ? await readPlatforms(ecr(place), place.account, place.repository, digest, WHO)
        : undefined,
    platforms: { wanted: [platform('linux/amd64')], named: false },
    key,
    lifecycle: await readLifecycle(ecr(place), place.account, place.repository, WHO),
    repositoryArn: repositoryArn(place),
    now: Date.now(),
    ...extra,
  });
}
const stateOf = (finding: ImageFinding): string =>
  finding.status === 'conditional' ? `conditional:${finding.unread.map((unread) => unread.permission).join(',')}` : finding.state;

/** One cell's image state from gathered facts: the first reference its source place judges, the puller's platforms. */
function judgedState(facts: Awaited<ReturnType<typeof gatherImageFacts>>, place: ImagePlaceOfService, platforms: PlatformChoice = DEFAULT_PLATFORMS): string {
  const [checked] = facts.checked.get(placeKey(place.source ?? place.registry, place.repository)) ?? [];
  return stateOf(judgeImageCell(cellImageFacts(facts, place, checked, platforms, repositoryArn(SOURCE), Date.now())));
}

describe('readImages (ecr:DescribeImages, imageStatus ANY)', () => {
  afterEach(() => enforceIam(stack.endpoint, false));

  it('an active index: read with its status, tags, push time and media type; present', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const digest = await putManifest(stack.endpoint, SOURCE, imageIndex(['linux/amd64', 'linux/arm64/v8']), 'v1');
    const read = await readImages(ecr(), PROD_ACCOUNT, SOURCE.repository, WHO);
    assert.equal(read.status, 'read');
    const [image] = read.status === 'read' ? read.images : [];
    assert.deepEqual([image.digest, image.tags, image.status, image.manifestMediaType], [digest, ['v1'], 'ACTIVE', 'application/vnd.oci.image.index.v1+json']);
    assert.ok(image.pushedAt && Math.abs(Date.parse(image.pushedAt) - Date.now()) < 120_000);
    assert.equal(stateOf(await judge(SOURCE, digest)), 'present');
  });

  it('an archived digest is listed (ANY) and judged archived; a pull of it (BatchGetImage) fails', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const digest = await putManifest(stack.endpoint, SOURCE, imageManifest('a'), 'v1');
    await moveStorageClass(stack.endpoint, SOURCE, digest, 'ARCHIVE');
    const read = await readImages(ecr(), PROD_ACCOUNT, SOURCE.repository, WHO);
    assert.deepEqual(read.status === 'read' && read.images.map((image) => [image.status, Boolean(image.lastArchivedAt)]), [['ARCHIVED', true]]);
    const finding = await judge(SOURCE, digest);
    assert.equal(stateOf(finding), 'archived');
    assert.equal(finding.status === 'judged' && finding.fix, 'restore');
    const platforms = await readPlatforms(ecr(), PROD_ACCOUNT, SOURCE.repository, digest, WHO);
    assert.match(platforms.kind === 'unread' ? platforms.reason : '', /ImageNotFound/);
  });

  it('a restore: ACTIVATING until it ends, then present again', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const digest = await putManifest(stack.endpoint, SOURCE, imageManifest('b'), 'v1');
    await moveStorageClass(stack.endpoint, SOURCE, digest, 'ARCHIVE');
    await moveStorageClass(stack.endpoint, SOURCE, digest, 'STANDARD');
    assert.equal(stateOf(await judge(SOURCE, digest)), 'activating');
    await setImageState(stack.endpoint, SOURCE, digest, { imageStatus: 'ACTIVE' });
    const read = await readImages(ecr(), PROD_ACCOUNT, SOURCE.repository, WHO);
    assert.ok(read.status === 'read' && read.images[0].lastActivatedAt);
    assert.equal(stateOf(await judge(SOURCE, digest)), 'present');
  });

  it('a repository that does not exist: no-repository; a digest not in it: absent', async () => {
    assert.deepEqual(await readImages(ecr(), PROD_ACCOUNT, 'nothing/here', WHO), { status: 'no-repository' });
    await createImageRepository(stack.endpoint, SOURCE);
    assert.equal(stateOf(await judge(SOURCE, `sha256:${'0'.repeat(64)}`)), 'absent');
  });

  it('every page is read', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    for (const seed of ['p1', 'p2', 'p3']) await putManifest(stack.endpoint, SOURCE, imageManifest(seed), seed);
    let calls = 0;
    const client = ecr();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeImagesCommand') {
          calls += 1;
          (args.input as Record<string, unknown>).maxResults = 2;
        }
        return next(args);
      },
      { step: 'initialize', name: 'smallPages' },
    );
    const read = await readImages(client, PROD_ACCOUNT, SOURCE.repository, WHO);
    assert.deepEqual(read.status === 'read' && read.images.map((image) => image.tags[0]).sort(), ['p1', 'p2', 'p3']);
    assert.equal(calls, 2);
  });

  it('DescribeImages denied: unread, and the cell conditional naming ecr:DescribeImages', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const keys = await keysAllowedOnly(stack.endpoint, PROD_ACCOUNT, 'reader', ['ecr:BatchGetImage']);
    await enforceIam(stack.endpoint, true);
    const client = new ECRClient({
      region: REGION,
      endpoint: stack.endpoint,
      credentials: { accessKeyId: keys.AWS_ACCESS_KEY_ID, secretAccessKey: keys.AWS_SECRET_ACCESS_KEY },
    });
    const read = await readImages(client, PROD_ACCOUNT, SOURCE.repository, WHO);
    assert.match(read.status === 'unread' ? read.reason : '', /ecr:DescribeImages was denied for the test credentials/);
    assert.equal(stateOf(judgeImageCell({ ...(await baseFacts()), images: read })), 'conditional:ecr:DescribeImages');
  });
});

async function baseFacts(): Promise<ImageCellFacts> {
  return {
    reference: { digest: 'sha256:x' },
    images: { status: 'read', images: [] },
    platforms: { wanted: [platform('linux/amd64')], named: false },
    key: { encryption: 'AES256' },
    lifecycle: { status: 'none' },
    repositoryArn: repositoryArn(SOURCE),
    now: Date.now(),
  };
}

describe('readPlatforms (ecr:BatchGetImage with acceptedMediaTypes)', () => {
  it('an arm64 puller against an amd64-only index: platform-missing, listing what it holds', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const digest = await putManifest(stack.endpoint, SOURCE, imageIndex(['linux/amd64', 'unknown/unknown']), 'v1');
    const facts = await readPlatforms(ecr(), PROD_ACCOUNT, SOURCE.repository, digest, WHO);
    assert.equal(facts.kind, 'index');
    assert.deepEqual(matchPlatform(facts, platform('linux/arm64/v8'), true), { match: 'none', available: ['linux/amd64'] });
    const finding = await judge(SOURCE, digest, { platforms: { wanted: [platform('linux/arm64/v8')], named: true } });
    assert.equal(stateOf(finding), 'platform-missing');
    assert.equal(finding.status === 'judged' && finding.fix, 'push-platform');
  });

  it('an amd64+arm64 index serves both pullers', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const digest = await putManifest(stack.endpoint, SOURCE, imageIndex(['linux/amd64', 'linux/arm64/v8']), 'v1');
    const finding = await judge(SOURCE, digest, { platforms: { wanted: [platform('linux/amd64'), platform('linux/arm64')], named: true } });
    assert.equal(stateOf(finding), 'present');
  });

  it('a single manifest: single, its platform not read (conditional only for a puller that names one)', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const digest = await putManifest(stack.endpoint, SOURCE, imageManifest('s'), 'v1');
    assert.deepEqual(await readPlatforms(ecr(), PROD_ACCOUNT, SOURCE.repository, digest, WHO), { kind: 'single' });
    assert.equal(stateOf(await judge(SOURCE, digest)), 'present');
    assert.equal(
      stateOf(await judge(SOURCE, digest, { platforms: { wanted: [platform('linux/arm64')], named: true } })),
      'conditional:ecr:GetDownloadUrlForLayer',
    );
  });
});

describe('readReplicationStatuses (ecr:DescribeImageReplicationStatus) and the replica', () => {
  it('pushed before replication was configured: no record, the replica does not hold it: not-replicated', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const digest = await putManifest(stack.endpoint, SOURCE, imageManifest('r'), 'v1');
    const statuses = await readReplicationStatuses(ecr(), PROD_ACCOUNT, SOURCE.repository, digest, WHO);
    assert.deepEqual(statuses, { status: 'read', statuses: [] });
    const finding = await judge(REPLICA, digest, { replication: { status: 'read' } });
    assert.equal(stateOf(finding), 'not-replicated');
    assert.equal(finding.status === 'judged' && finding.fix, 'backfill');
  });

  for (const [status, expected, failureCode] of [
    ['IN_PROGRESS', 'replicating', undefined],
    ['FAILED', 'replication-failed', 'KMS_ACCESS_DENIED'],
  ] as const) {
    it(`replication ${status}, the replica without the image: ${expected}`, async () => {
      await createImageRepository(stack.endpoint, SOURCE);
      await createImageRepository(stack.endpoint, REPLICA);
      const digest = await putManifest(stack.endpoint, SOURCE, imageManifest(status), 'v1');
      await setReplicationStatus(stack.endpoint, SOURCE, digest, [
        { region: REPLICA.region, registryId: PROD_ACCOUNT, status, ...(failureCode ? { failureCode } : {}) },
      ]);
      const read = await readReplicationStatuses(ecr(), PROD_ACCOUNT, SOURCE.repository, digest, WHO);
      assert.equal(read.status, 'read');
      const entry = read.status === 'read' ? read.statuses.find((candidate) => candidate.region === REPLICA.region) : undefined;
      const finding = await judge(REPLICA, digest, { replication: { status: 'read', entry } });
      assert.equal(stateOf(finding), expected);
      if (failureCode) assert.equal(finding.status === 'judged' && finding.detail, failureCode);
    });
  }

  it('replication COMPLETE and the replica holds the image (put there as replication would): present', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    await createImageRepository(stack.endpoint, REPLICA);
    const manifest = imageIndex(['linux/amd64']);
    const digest = await putManifest(stack.endpoint, SOURCE, manifest, 'v1');
    assert.equal(await putManifest(stack.endpoint, REPLICA, manifest, 'v1'), digest);
    await setReplicationStatus(stack.endpoint, SOURCE, digest, [{ region: REPLICA.region, registryId: PROD_ACCOUNT, status: 'COMPLETE' }]);
    const read = await readReplicationStatuses(ecr(), PROD_ACCOUNT, SOURCE.repository, digest, WHO);
    const entry = read.status === 'read' ? read.statuses[0] : undefined;
    assert.equal(stateOf(await judge(REPLICA, digest, { replication: { status: 'read', entry } })), 'present');
  });

  it('a digest the source does not hold: no-image', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    assert.deepEqual(await readReplicationStatuses(ecr(), PROD_ACCOUNT, SOURCE.repository, `sha256:${'1'.repeat(64)}`, WHO), { status: 'no-image' });
  });
});

describe('readLifecycle (ecr:GetLifecyclePolicy)', () => {
  it('no policy: none', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    assert.deepEqual(await readLifecycle(ecr(), PROD_ACCOUNT, SOURCE.repository, WHO), { status: 'none' });
  });

  it('an untagged rule will expire the pinned digest (its last tag moved): present, expires-soon with the rule priority', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    // moto deletes the image a moved tag left (ECR keeps it, untagged): push the pinned digest untagged, as ECR then holds it.
    const pinned = await putManifest(stack.endpoint, SOURCE, imageManifest('old'));
    await setImageState(stack.endpoint, SOURCE, pinned, { imagePushedAt: Math.floor(Date.now() / 1000) - 3600 });
    await putManifest(stack.endpoint, SOURCE, imageManifest('newer')); // a newer untagged image
    await putManifest(stack.endpoint, SOURCE, imageManifest('new'), 'latest');
    await putLifecycle(stack.endpoint, SOURCE, {
      rules: [{ rulePriority: 3, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }],
    });
    const finding = await judge(SOURCE, pinned);
    assert.equal(stateOf(finding), 'present');
    assert.deepEqual(finding.warnings, [{ kind: 'expires-soon', action: 'expire', rulePriority: 3 }]);
  });

  it('a transition rule (archive) is accepted and read: archived-soon after 30 days without a pull', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const digest = await putManifest(stack.endpoint, SOURCE, imageManifest('t'), 'v1');
    const day = 24 * 3600;
    await setImageState(stack.endpoint, SOURCE, digest, {
      imagePushedAt: Math.floor(Date.now() / 1000) - 90 * day,
      lastRecordedPullTime: Math.floor(Date.now() / 1000) - 40 * day,
    });
    await putLifecycle(stack.endpoint, SOURCE, {
      rules: [
        {
          rulePriority: 1,
          selection: { tagStatus: 'any', storageClass: 'standard', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 },
          action: { type: 'transition', targetStorageClass: 'archive' },
        },
      ],
    });
    const read = await readLifecycle(ecr(), PROD_ACCOUNT, SOURCE.repository, WHO);
    assert.equal(read.status === 'read' && read.rules[0].action, 'transition');
    const finding = await judge(SOURCE, digest);
    assert.deepEqual(
      finding.warnings.map((warning) => [warning.action, warning.rulePriority]),
      [['transition', 1]],
    );
  });
});

describe("readKey (kms:DescribeKey, kms:ListGrants) and ECR's grant", () => {
  /** moto 5.2.1's DisableKey and ScheduleKeyDeletion take only the key ID (AWS takes the ARN too). */
  const keyIdOf = (keyArn: string): string => keyArn.split('/').pop() as string;

  async function kmsRepository(): Promise<{ kms: KMSClient; keyArn: string }> {
    const kms = kmsIn(stack.endpoint, PROD_ACCOUNT, REGION);
    const keyArn = (await kms.send(new CreateKeyCommand({ Description: 'prod images' }))).KeyMetadata!.Arn!;
    await createImageRepository(stack.endpoint, SOURCE, keyArn);
    return { kms, keyArn };
  }

  it("an enabled customer managed key with ECR's grant: usable, present", async () => {
    const { kms, keyArn } = await kmsRepository();
    const digest = await putManifest(stack.endpoint, SOURCE, imageIndex(['linux/amd64']), 'v1');
    assert.deepEqual(
      await readEncryption(ecr(), PROD_ACCOUNT, [SOURCE.repository, 'missing/repo'], WHO),
      new Map([[SOURCE.repository, { encryption: 'KMS', keyArn }]]),
    );
    const key = await readKey(kms, keyArn, WHO);
    assert.deepEqual(judgeKey(key, repositoryArn(SOURCE)), { usable: true });
    assert.equal(stateOf(await judge(SOURCE, digest, {}, kms)), 'present');
  });

  it('a disabled key: key-unusable (Disabled), fix enable-key', async () => {
    const { kms, keyArn } = await kmsRepository();
    const digest = await putManifest(stack.endpoint, SOURCE, imageIndex(['linux/amd64']), 'v1');
    await kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const finding = await judge(SOURCE, digest, {}, kms);
    assert.deepEqual(
      [stateOf(finding), finding.status === 'judged' && finding.detail, finding.status === 'judged' && finding.fix],
      ['key-unusable', 'Disabled', 'enable-key'],
    );
  });

  it('a key pending deletion: key-unusable (PendingDeletion)', async () => {
    const { kms, keyArn } = await kmsRepository();
    const digest = await putManifest(stack.endpoint, SOURCE, imageIndex(['linux/amd64']), 'v1');
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyIdOf(keyArn), PendingWindowInDays: 7 }));
    const finding = await judge(SOURCE, digest, {}, kms);
    assert.equal(finding.status === 'judged' && finding.detail, 'PendingDeletion');
  });

  it("ECR's grant revoked: key-unusable (grant-revoked)", async () => {
    const { kms, keyArn } = await kmsRepository();
    const digest = await putManifest(stack.endpoint, SOURCE, imageIndex(['linux/amd64']), 'v1');
    for (const grant of (await kms.send(new ListGrantsCommand({ KeyId: keyArn }))).Grants ?? [])
      await kms.send(new RevokeGrantCommand({ KeyId: keyArn, GrantId: grant.GrantId }));
    const finding = await judge(SOURCE, digest, {}, kms);
    assert.equal(finding.status === 'judged' && finding.detail, 'grant-revoked');
  });

  it('DescribeKey denied: conditional naming kms:DescribeKey', async () => {
    const { keyArn } = await kmsRepository();
    const keys = await keysAllowedOnly(stack.endpoint, PROD_ACCOUNT, 'keyless', ['ecr:*']);
    await enforceIam(stack.endpoint, true);
    try {
      const kms = new KMSClient({
        region: REGION,
        endpoint: stack.endpoint,
        credentials: { accessKeyId: keys.AWS_ACCESS_KEY_ID, secretAccessKey: keys.AWS_SECRET_ACCESS_KEY },
      });
      const key = await readKey(kms, keyArn, WHO);
      assert.deepEqual(judgeKey(key, repositoryArn(SOURCE)).usable, 'unknown');
      assert.match(key.key.status === 'unread' ? key.key.reason : '', /kms:DescribeKey was denied for the test credentials/);
    } finally {
      await enforceIam(stack.endpoint, false);
    }
  });
});

describe('gatherImageFacts (src/services/images.ts): reads shared, every cell judged from them', () => {
  /** ECR clients per registry that count each command sent. */
  function countingClients(): { clients: GatherImagesInput['clients']; calls: Map<string, number> } {
    const calls = new Map<string, number>();
    const ecrClients = new Map<string, ECRClient>();
    return {
      calls,
      clients: {
        async ecr(registry) {
          const key = `${registry.registryId}/${registry.region}`;
          if (!ecrClients.has(key)) {
            const client = ecrIn(stack.endpoint, registry.registryId, registry.region);
            client.middlewareStack.add(
              (next, context) => async (args) => {
                calls.set(String(context.commandName), (calls.get(String(context.commandName)) ?? 0) + 1);
                return next(args);
              },
              { step: 'initialize', name: 'count' },
            );
            ecrClients.set(key, client);
          }
          return ecrClients.get(key) as ECRClient;
        },
        async kms(registry) {
          return kmsIn(stack.endpoint, registry.registryId, registry.region);
        },
      },
    };
  }

  it('three pullers × source and replica: one DescribeImages per place, one status per pinned digest; each cell as AWS would serve it', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    await createImageRepository(stack.endpoint, REPLICA);
    const pinned = await putManifest(stack.endpoint, SOURCE, imageIndex(['linux/amd64']), 'v1');
    await setReplicationStatus(stack.endpoint, SOURCE, pinned, [{ region: REPLICA.region, registryId: PROD_ACCOUNT, status: 'IN_PROGRESS' }]);
    const source = { region: SOURCE.region, registryId: PROD_ACCOUNT };
    const replica = { region: REPLICA.region, registryId: PROD_ACCOUNT };
    const places = [
      { registry: source, repository: SOURCE.repository },
      { registry: source, repository: SOURCE.repository },
      { registry: replica, repository: REPLICA.repository, source },
    ];
    const { clients, calls } = countingClients();
    const facts = await gatherImageFacts({ places, references: new Map([[SOURCE.repository, [{ digest: pinned }]]]), clients, who: WHO });
    assert.deepEqual(
      [
        calls.get('DescribeImagesCommand'),
        calls.get('GetLifecyclePolicyCommand'),
        calls.get('BatchGetImageCommand'),
        calls.get('DescribeImageReplicationStatusCommand'),
      ],
      [2, 2, 1, 1],
    );
    const judged = (place: ImagePlaceOfService, platforms: PlatformChoice) => judgedState(facts, place, platforms);
    assert.equal(judged(places[0], DEFAULT_PLATFORMS), 'present');
    assert.equal(judged(places[1], { wanted: [platform('linux/arm64')], named: true }), 'platform-missing');
    assert.equal(judged(places[2], DEFAULT_PLATFORMS), 'replicating');
  });

  it('reads started early (prefetchImageReads) are taken, not repeated: the same calls, the same verdicts', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    await createImageRepository(stack.endpoint, REPLICA);
    const pinned = await putManifest(stack.endpoint, SOURCE, imageIndex(['linux/amd64']), 'v1');
    await setReplicationStatus(stack.endpoint, SOURCE, pinned, [{ region: REPLICA.region, registryId: PROD_ACCOUNT, status: 'IN_PROGRESS' }]);
    const source = { region: SOURCE.region, registryId: PROD_ACCOUNT };
    const replica = { region: REPLICA.region, registryId: PROD_ACCOUNT };
    const home = { registry: source, repository: SOURCE.repository };
    const places = [home, { registry: replica, repository: REPLICA.repository, source }];
    const { clients, calls } = countingClients();
    const cache = newImageReadCache();
    prefetchImageReads(cache, {
      places: [home],
      pinnedAtSource: [{ source, repository: SOURCE.repository, digest: pinned }],
      ecr: await clients.ecr(source),
      who: WHO,
    });
    assert.deepEqual([cache.places.size, cache.lifecycle.size, cache.encryption.size, cache.replication.size], [1, 1, 1, 1]);
    const facts = await gatherImageFacts({ places, references: new Map([[SOURCE.repository, [{ digest: pinned }]]]), clients, who: WHO, cache });
    assert.deepEqual(
      ['DescribeImages', 'GetLifecyclePolicy', 'DescribeRepositories', 'BatchGetImage', 'DescribeImageReplicationStatus'].map((name) =>
        calls.get(`${name}Command`),
      ),
      [2, 2, 2, 1, 1],
      'one read per place (the replica read then, the source before), one status per digest',
    );
    assert.deepEqual(
      places.map((place) => judgedState(facts, place)),
      ['present', 'replicating'],
    );
  });

  it('many places (more than the reads in flight): a lifecycle policy only where the image is found, a replication status only where a replica lacks it', async () => {
    const other = { ...SOURCE, repository: 'prod/other' };
    const otherReplica = { ...other, region: REPLICA.region };
    for (const place of [SOURCE, REPLICA, other, otherReplica]) await createImageRepository(stack.endpoint, place);
    const held = await putManifest(stack.endpoint, SOURCE, imageManifest('held'), 'v1');
    await putManifest(stack.endpoint, REPLICA, imageManifest('held'), 'v1');
    const missing = await putManifest(stack.endpoint, other, imageManifest('missing'), 'v1');
    await setReplicationStatus(stack.endpoint, other, missing, [
      { region: REPLICA.region, registryId: PROD_ACCOUNT, status: 'FAILED', failureCode: 'KMS_ERROR' },
    ]);
    const source = { region: SOURCE.region, registryId: PROD_ACCOUNT };
    const replica = { region: REPLICA.region, registryId: PROD_ACCOUNT };
    const places = [
      { registry: replica, repository: SOURCE.repository, source },
      { registry: replica, repository: other.repository, source },
    ];
    const { clients, calls } = countingClients();
    // One read in flight: four places do not fit in one round, so nothing is read ahead.
    const facts = await gatherImageFacts({ places, references: new Map([[SOURCE.repository, [{ digest: held }]]]), clients, who: WHO, concurrency: 1 });
    assert.deepEqual(
      ['DescribeImages', 'GetLifecyclePolicy', 'DescribeImageReplicationStatus'].map((name) => calls.get(`${name}Command`) ?? 0),
      [4, 1, 1],
      'images in all four places; the lifecycle policy of the one replica that holds its image; the status of the digest the other lacks',
    );
    assert.deepEqual(
      places.map((place) => judgedState(facts, place)),
      ['present', 'replication-failed'],
    );
  });

  it('no reference given: the newest image is judged, and said to be the one chosen', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const older = await putManifest(stack.endpoint, SOURCE, imageManifest('older'), 'old');
    await setImageState(stack.endpoint, SOURCE, older, { imagePushedAt: Math.floor(Date.now() / 1000) - 7200 });
    const newest = await putManifest(stack.endpoint, SOURCE, imageManifest('newest'), 'new');
    const place = { registry: { region: SOURCE.region, registryId: PROD_ACCOUNT }, repository: SOURCE.repository };
    const facts = await gatherImageFacts({ places: [place], references: new Map(), clients: countingClients().clients, who: WHO });
    assert.deepEqual(facts.checked.get(placeKey(place.registry, place.repository)), [
      { repository: SOURCE.repository, reference: { digest: newest }, chosen: 'newest' },
    ]);
  });

  it('a KMS repository: one DescribeKey per key; a disabled key makes the cell key-unusable', async () => {
    const kms = kmsIn(stack.endpoint, PROD_ACCOUNT, REGION);
    const keyArn = (await kms.send(new CreateKeyCommand({ Description: 'k' }))).KeyMetadata!.Arn!;
    await createImageRepository(stack.endpoint, SOURCE, keyArn);
    const other = { ...SOURCE, repository: 'prod/other' };
    await createImageRepository(stack.endpoint, other, keyArn);
    const digest = await putManifest(stack.endpoint, SOURCE, imageIndex(['linux/amd64']), 'v1');
    await kms.send(new DisableKeyCommand({ KeyId: keyArn.split('/').pop() }));
    const registry = { region: SOURCE.region, registryId: PROD_ACCOUNT };
    const places = [
      { registry, repository: SOURCE.repository },
      { registry, repository: other.repository },
    ];
    const facts = await gatherImageFacts({ places, references: new Map([[SOURCE.repository, [{ digest }]]]), clients: countingClients().clients, who: WHO });
    assert.equal(facts.keys.size, 1);
    const [checked] = facts.checked.get(placeKey(registry, SOURCE.repository)) ?? [];
    assert.equal(stateOf(judgeImageCell(cellImageFacts(facts, places[0], checked, DEFAULT_PLATFORMS, repositoryArn(SOURCE), Date.now()))), 'key-unusable');
  });
});

describe('judgePushedImage (publish: the digest it pushed, per puller)', () => {
  const registry = { region: SOURCE.region, registryId: PROD_ACCOUNT };
  const judgePushed = (digest: string, extra: Partial<Parameters<typeof judgePushedImage>[0]> = {}) =>
    judgePushedImage({
      ecr: ecr(),
      kms: async () => kmsIn(stack.endpoint, PROD_ACCOUNT, REGION),
      registry,
      repository: SOURCE.repository,
      repositoryArn: repositoryArn(SOURCE),
      digest,
      pullers: [
        { name: 'amd', platforms: DEFAULT_PLATFORMS },
        { name: 'arm', platforms: { wanted: [platform('linux/arm64')], named: true } },
      ],
      who: WHO,
      sleep: async () => undefined,
      ...extra,
    });
  const states = (findings: Map<string, ImageFinding>) => Object.fromEntries([...findings].map(([name, finding]) => [name, stateOf(finding)]));

  it('a single manifest with its config platform (linux/amd64): present for amd64, platform-missing for an arm64 puller', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const digest = await putManifest(stack.endpoint, SOURCE, imageManifest('pushed'), 'v1');
    assert.deepEqual(states(await judgePushed(digest, { config: Promise.resolve(platform('linux/amd64')), encryption: { encryption: 'AES256' } })), {
      amd: 'present',
      arm: 'platform-missing',
    });
    // The config not read: a puller naming a platform is conditional, never present on a guess.
    assert.deepEqual(states(await judgePushed(digest)), { amd: 'present', arm: 'conditional:ecr:GetDownloadUrlForLayer' });
  });

  it('an index: judged with each puller platform, and the child it selects must be there (absent for that puller only)', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const index = imageIndex(['linux/amd64', 'linux/arm64']);
    const children = (JSON.parse(index) as { manifests: { digest: string }[] }).manifests.map((entry) => entry.digest);
    const digest = await putManifest(stack.endpoint, SOURCE, index, 'v1');
    // The children as separate images, as a push of an index makes them; only the first at first.
    const child = (seed: string, digestOf: string) =>
      ecr().send(
        new PutImageCommand({
          repositoryName: SOURCE.repository,
          imageManifest: imageManifest(seed),
          imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
          imageDigest: digestOf,
        }),
      );
    await child('amd', children[0]);
    // The arm64 child is not there: the arm64 pull fails ("manifest unknown"), the amd64 pull does not fetch it.
    assert.deepEqual(states(await judgePushed(digest)), { amd: 'present', arm: 'absent' });
    await child('arm', children[1]);
    assert.deepEqual(states(await judgePushed(digest)), { amd: 'present', arm: 'present' });
  });

  it('the pushed digest not listed yet: read again (bounded) before it is judged absent', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    let slept = 0;
    const findings = await judgePushed(`sha256:${'1'.repeat(64)}`, {
      sleep: async () => {
        slept += 1;
      },
    });
    assert.deepEqual([states(findings), slept], [{ amd: 'absent', arm: 'absent' }, 3]);
  });

  it('the encryption read by publish is taken: no DescribeRepositories; none given, it is read', async () => {
    await createImageRepository(stack.endpoint, SOURCE);
    const digest = await putManifest(stack.endpoint, SOURCE, imageManifest('enc'), 'v1');
    let describes = 0;
    const client = ecr();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeRepositoriesCommand') describes += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countDescribe' },
    );
    await judgePushed(digest, { ecr: client, encryption: { encryption: 'AES256' } });
    assert.equal(describes, 0);
    await judgePushed(digest, { ecr: client });
    assert.equal(describes, 1);
  });
});
