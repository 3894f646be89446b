/**
 * Whether an image is in a repository and in which storage state, from ecr:DescribeImages data.
 *
 * ECR API Reference, "DescribeImagesFilter": imageStatus "Valid values are ACTIVE, ARCHIVED, and
 * ACTIVATING. If not specified, only images with ACTIVE status are returned" — so the adapter asks with
 * `filter.imageStatus = ANY`, or an archived image would look absent. ECR User Guide, "Archiving an
 * image": "Archived images cannot be pulled. Requests to pull the archived image will fail with a 404
 * error"; "The image status will be shown as ARCHIVED"; restoring (UpdateImageStorageClass to STANDARD)
 * passes through ACTIVATING ("ImageDetail": lastArchivedAt, lastActivatedAt).
 */

/** One image of a repository as DescribeImages describes it, as plain data (times ISO 8601). */
export interface ImageRecord {
  digest: string;
  tags: string[];
  /** ACTIVE | ARCHIVED | ACTIVATING; undefined from a server without the archive feature (all its images are active). */
  status?: string;
  pushedAt?: string;
  /** lastRecordedPullTime ("refreshes … at least once every 24 hours"). */
  lastPulledAt?: string;
  lastArchivedAt?: string;
  lastActivatedAt?: string;
  /** imageManifestMediaType: an index (manifest list) or a single manifest. */
  manifestMediaType?: string;
  artifactMediaType?: string;
}

/** What the puller names: a tag (`:v1`) or a digest (`@sha256:…`). */
export type ImageReference = { tag: string } | { digest: string };

export type StoredState =
  | { state: 'present' | 'archived' | 'activating'; image: ImageRecord }
  | { state: 'absent' }
  /** A status this action does not know (a newer API): never taken for ACTIVE. */
  | { state: 'unknown-status'; image: ImageRecord };

/** The image a reference names among a repository's images (every status), or undefined. */
export function findImage(images: readonly ImageRecord[], reference: ImageReference): ImageRecord | undefined {
  return 'digest' in reference ? images.find((image) => image.digest === reference.digest) : images.find((image) => image.tags.includes(reference.tag));
}

/**
 * The stored state of the image a reference names. A digest not among the images is absent
 * ("manifest unknown"); so is a tag no image carries. A record without a status comes from a server
 * that answers only for active images (the filter did not exist before the archive feature), so it is
 * active; any other status than the three documented is unknown, never active.
 */
export function storedState(images: readonly ImageRecord[], reference: ImageReference): StoredState {
  const image = findImage(images, reference);
  if (!image) return { state: 'absent' };
  switch (image.status ?? 'ACTIVE') {
    case 'ACTIVE':
      return { state: 'present', image };
    case 'ARCHIVED':
      return { state: 'archived', image };
    case 'ACTIVATING':
      return { state: 'activating', image };
    default:
      return { state: 'unknown-status', image };
  }
}

/** The newest image by push time (for "which image was checked" when no reference is given). */
export function newestImage(images: readonly ImageRecord[]): ImageRecord | undefined {
  const pushed = (image: ImageRecord): number => (image.pushedAt ? Date.parse(image.pushedAt) : -Infinity);
  return [...images].sort((a, b) => pushed(b) - pushed(a))[0];
}

/** Manifest media types of an image index (OCI) or a Docker manifest list: the platforms are in it. */
export const INDEX_MEDIA_TYPES: readonly string[] = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

export const isIndex = (mediaType: string | undefined): boolean => mediaType !== undefined && INDEX_MEDIA_TYPES.includes(mediaType);
