import { UserError } from '../errors.js';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * Asks the registry itself (distribution API, authenticated as a puller would be) which digest a
 * tag resolves to. This is what `docker pull` will get, not what the local daemon believes.
 */
export async function resolveTagDigest(
  registryUrl: string,
  repository: string,
  tag: string,
  credentials: { username: string; password: string },
): Promise<string> {
  const url = `${registryUrl.replace(/\/$/, '')}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES, Authorization: authorization } });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? String(error);
    throw new UserError(`registry: cannot reach ${registryUrl} to confirm ${repository}:${tag} (${cause}).`);
  }
  const digest = response.headers.get('docker-content-digest');
  if (!response.ok || !digest) {
    throw new UserError(`registry: ${repository}:${tag} does not resolve (HTTP ${response.status}) right after the push. The push did not land; re-run the job.`);
  }
  return digest;
}
