import { REGISTRY_HOST, REGISTRY_PASSWORD } from './engine.js';

const authorization = `Basic ${Buffer.from(`AWS:${REGISTRY_PASSWORD}`).toString('base64')}`;

/** What a puller sees: the digest the registry serves for a tag (undefined when the tag does not exist). */
export async function servedDigest(repository: string, tag: string): Promise<string | undefined> {
  const response = await fetch(`https://${REGISTRY_HOST}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Authorization: authorization, Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
  });
  return response.ok ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
}

export async function registryTags(repository: string): Promise<string[]> {
  const response = await fetch(`https://${REGISTRY_HOST}/v2/${repository}/tags/list`, { headers: { Authorization: authorization } });
  if (response.status === 404) return [];
  const body = (await response.json()) as { tags?: string[] | null };
  return body.tags ?? [];
}
