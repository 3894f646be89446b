// Publish waits for its replicas (issue 26): the polling loop of services/replication-wait.ts with an
// injected sleep and clock. Statuses as "DescribeImageReplicationStatus" (Amazon ECR API Reference)
// answers them: ImageReplicationStatus.status IN_PROGRESS | COMPLETE | FAILED, with failureCode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReplicationStatusesRead } from '../../src/domain/image/facts.js';
import { replicationProgress } from '../../src/domain/image/replication-wait.js';
import { waitForReplicas } from '../../src/services/replication-wait.js';

const WEST = { region: 'us-west-2' };
const entry = (region: string, status: string, failureCode?: string) => ({
  region,
  registryId: '153263036946',
  status,
  ...(failureCode ? { failureCode } : {}),
});

/** A scripted sequence of answers, and a clock that sleeps instantly. */
function script(answers: ReplicationStatusesRead[]) {
  let clock = 0;
  let reads = 0;
  const slept: number[] = [];
  return {
    read: async () => answers[Math.min(reads++, answers.length - 1)],
    options: (timeoutMs: number) => ({
      timeoutMs,
      now: () => clock,
      sleep: async (ms: number) => {
        slept.push(ms);
        clock += ms;
      },
      intervalMs: 10_000,
    }),
    get reads() {
      return reads;
    },
    slept,
  };
}
const read = (...statuses: ReturnType<typeof entry>[]): ReplicationStatusesRead => ({ status: 'read', statuses });

describe('replicationProgress (DescribeImageReplicationStatus, Amazon ECR API Reference)', () => {
  const cases: [string, ReturnType<typeof entry>[], string][] = [
    ['every wanted destination COMPLETE', [entry('us-west-2', 'COMPLETE'), entry('eu-west-1', 'IN_PROGRESS')], 'complete'],
    ['IN_PROGRESS', [entry('us-west-2', 'IN_PROGRESS')], 'pending'],
    ['no entry yet for the destination', [entry('eu-west-1', 'COMPLETE')], 'pending'],
    ['FAILED', [entry('us-west-2', 'FAILED', 'KMS_KEY_NOT_FOUND')], 'failed'],
  ];
  for (const [what, statuses, kind] of cases) it(`${what}: ${kind}`, () => assert.equal(replicationProgress(statuses, [WEST]).kind, kind));

  it('a destination named with its registry matches that registry only', () => {
    assert.equal(replicationProgress([entry('us-west-2', 'COMPLETE')], [{ region: 'us-west-2', registryId: '222233334444' }]).kind, 'pending');
  });
});

describe('waitForReplicas (the polling loop, injected sleep)', () => {
  it('polls until COMPLETE, then returns', async () => {
    const s = script([read(entry('us-west-2', 'IN_PROGRESS')), read(entry('us-west-2', 'IN_PROGRESS')), read(entry('us-west-2', 'COMPLETE'))]);
    await waitForReplicas(s.read, [WEST], 'app@sha256:1', s.options(60_000));
    assert.equal(s.reads, 3);
    assert.deepEqual(s.slept, [10_000, 10_000]);
  });

  it("FAILED fails at once with AWS's failure code", async () => {
    const s = script([read(entry('us-west-2', 'FAILED', 'KMS_KEY_NOT_FOUND'))]);
    await assert.rejects(
      waitForReplicas(s.read, [WEST], 'app@sha256:1', s.options(60_000)),
      /to us-west-2 \(registry 153263036946\) FAILED \(KMS_KEY_NOT_FOUND\)/,
    );
    assert.equal(s.reads, 1);
  });

  it('the deadline fails naming the destination still pending', async () => {
    const s = script([read(entry('us-west-2', 'IN_PROGRESS'))]);
    await assert.rejects(waitForReplicas(s.read, [WEST], 'app@sha256:1', s.options(25_000)), /not replicated to us-west-2 IN_PROGRESS after 25 s/);
    assert.equal(
      s.slept.reduce((sum, ms) => sum + ms, 0),
      25_000,
      'never sleeps past the deadline',
    );
  });

  it('a destination with no record at the deadline is named as not started', async () => {
    const s = script([{ status: 'no-image' }]);
    await assert.rejects(waitForReplicas(s.read, [WEST], 'app@sha256:1', s.options(5_000)), /us-west-2 not started/);
  });

  it('a denied read fails naming the permission', async () => {
    const s = script([{ status: 'unread', reason: 'ecr:DescribeImageReplicationStatus was denied for the current credentials.' }]);
    await assert.rejects(
      waitForReplicas(s.read, [WEST], 'app@sha256:1', s.options(60_000)),
      /wait-for-replication: ecr:DescribeImageReplicationStatus was denied/,
    );
  });

  it('0 seconds, or no destination a puller pulls from: no read at all', async () => {
    const s = script([read()]);
    await waitForReplicas(s.read, [WEST], 'x', s.options(0));
    await waitForReplicas(s.read, [], 'x', s.options(60_000));
    assert.equal(s.reads, 0);
  });
});
