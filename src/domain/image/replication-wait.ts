/**
 * Where a pushed digest's copies stand, for the destinations a puller pulls from (issue 26, "publish
 * waits for its replicas"): DescribeImageReplicationStatus answers IN_PROGRESS | COMPLETE | FAILED per
 * destination. A destination with no entry yet is pending (ECR records the copy once it starts).
 */
export interface ReplicationEntry {
  region: string;
  registryId: string;
  status: string;
  failureCode?: string;
}

/** A destination a puller pulls from: a region, and its registry when known (undefined: any registry there). */
export interface WantedDestination {
  region: string;
  registryId?: string;
}

export type ReplicationProgress =
  | { kind: 'complete' }
  | { kind: 'failed'; destination: WantedDestination; failureCode?: string }
  | { kind: 'pending'; destinations: { destination: WantedDestination; status: string | undefined }[] };

const matches = (entry: ReplicationEntry, wanted: WantedDestination): boolean =>
  entry.region === wanted.region && (wanted.registryId === undefined || entry.registryId === wanted.registryId);

/** FAILED anywhere wanted ends the wait at once; every wanted destination COMPLETE ends it; else pending, naming which. */
export function replicationProgress(entries: readonly ReplicationEntry[], wanted: readonly WantedDestination[]): ReplicationProgress {
  const pending: { destination: WantedDestination; status: string | undefined }[] = [];
  for (const destination of wanted) {
    const found = entries.filter((entry) => matches(entry, destination));
    const failed = found.find((entry) => entry.status === 'FAILED');
    if (failed)
      return {
        kind: 'failed',
        destination: { region: failed.region, registryId: failed.registryId },
        ...(failed.failureCode ? { failureCode: failed.failureCode } : {}),
      };
    if (found.length === 0 || found.some((entry) => entry.status !== 'COMPLETE'))
      pending.push({ destination, status: found.find((entry) => entry.status !== 'COMPLETE')?.status });
  }
  return pending.length === 0 ? { kind: 'complete' } : { kind: 'pending', destinations: pending };
}
