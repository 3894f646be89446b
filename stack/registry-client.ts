import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { REGISTRY_HOST, REGISTRY_PASSWORD } from './engine.js';

const authorization = `Basic ${Buffer.from(`AWS:${REGISTRY_PASSWORD}`).toString('base64')}`;

function get(path: string, method: 'GET' | 'HEAD', caFile: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: REGISTRY_HOST,
        path,
        method,
        ca: readFileSync(caFile),
        headers: { Authorization: authorization, Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const defaultCa = (): string => process.env.PUBLISH_IMAGE_TEST_CA ?? '';

/** What a puller sees: the digest the registry serves for a tag (undefined when the tag does not exist). */
export async function servedDigest(repository: string, tag: string, caFile = defaultCa()): Promise<string | undefined> {
  const response = await get(`/v2/${repository}/manifests/${tag}`, 'HEAD', caFile);
  return response.status === 200 ? (response.headers['docker-content-digest'] as string) : undefined;
}

export async function registryTags(repository: string, caFile = defaultCa()): Promise<string[]> {
  const response = await get(`/v2/${repository}/tags/list`, 'GET', caFile);
  if (response.status === 404) return [];
  return (JSON.parse(response.body) as { tags?: string[] | null }).tags ?? [];
}
