import * as https from 'node:https';
import type { Platform } from '../../domain/image/platform.js';
import { inert } from '../../util/inert.js';
import { proxyAgents } from '../net/proxy.js';

/**
 * The platform of a single-manifest image the run pushed, read from the registry as `docker pull` reads
 * it (distribution API, the push's own credentials): GET the manifest by digest, then its config blob
 * (`os`, `architecture`, `variant`: OCI image spec, "Image Configuration"). ECR answers a blob GET with a
 * redirect to a presigned download URL, followed without the registry's Authorization. An index, a
 * manifest without a config, or any failure: undefined (the platform is then not known, never guessed).
 */

const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');
/** A config is a few KB; a larger answer is not read further. */
const MAX_BYTES = 4 * 1024 * 1024;

function get(url: string, headers: Record<string, string>, redirects = 2): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method: 'GET', headers, agent: proxyAgents()?.httpsAgent, timeout: 30_000 }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location && redirects > 0) {
        response.resume();
        // The presigned URL carries its own authorization; the registry's must not go to another host.
        get(new URL(location, url).href, { Accept: headers.Accept ?? '*/*' }, redirects - 1).then(resolve, reject);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) request.destroy(new Error('answer too large'));
        else chunks.push(chunk);
      });
      response.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('timeout', () => request.destroy(new Error('no answer within 30 s')));
    request.on('error', reject);
    request.end();
  });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export async function readPushedPlatform(
  registryUrl: string,
  repository: string,
  digest: string,
  credentials: { username: string; password: string },
): Promise<Platform | undefined> {
  const base = `${registryUrl.replace(/\/$/, '')}/v2/${repository}`;
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  try {
    const manifest = await get(`${base}/manifests/${encodeURIComponent(digest)}`, { Accept: MANIFEST_TYPES, Authorization: authorization });
    if (manifest.status !== 200) return undefined;
    const parsed: unknown = JSON.parse(manifest.body);
    const config = isObject(parsed) && isObject(parsed.config) && typeof parsed.config.digest === 'string' ? parsed.config.digest : undefined;
    if (!config || !/^sha256:[0-9a-f]{64}$/.test(config)) return undefined;
    const blob = await get(`${base}/blobs/${config}`, { Accept: '*/*', Authorization: authorization });
    if (blob.status !== 200) return undefined;
    const body: unknown = JSON.parse(blob.body);
    if (!isObject(body) || typeof body.os !== 'string' || typeof body.architecture !== 'string') return undefined;
    // Text from the registry: bounded and inert before it can reach a sink.
    return {
      os: inert(body.os, 40),
      architecture: inert(body.architecture, 40),
      ...(typeof body.variant === 'string' ? { variant: inert(body.variant, 40) } : {}),
    };
  } catch {
    return undefined;
  }
}
