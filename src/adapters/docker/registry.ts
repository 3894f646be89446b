import * as https from 'node:https';
import { UserError } from '../../errors.js';
import { inert } from '../../util/inert.js';
import { proxyAgents } from '../net/proxy.js';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** One HEAD request, through the proxy the environment names (HTTPS_PROXY / NO_PROXY) or directly. */
function head(url: string, headers: Record<string, string>): Promise<{ status: number; digest: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method: 'HEAD', headers, agent: proxyAgents()?.httpsAgent, timeout: 60_000 }, (response) => {
      response.resume();
      const digest = response.headers['docker-content-digest'];
      resolve({ status: response.statusCode ?? 0, digest: typeof digest === 'string' ? digest : undefined });
    });
    request.on('timeout', () => request.destroy(new Error('no answer within 60 s')));
    request.on('error', reject);
    request.end();
  });
}

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
  let response: { status: number; digest: string | undefined };
  try {
    response = await head(url, { Accept: MANIFEST_TYPES, Authorization: authorization });
  } catch (error) {
    const cause = (error as { message?: string }).message ?? String(error);
    throw new UserError(`registry: cannot reach ${registryUrl} to confirm ${repository}:${tag} (${inert(cause)}).`);
  }
  if (response.status < 200 || response.status > 299 || !response.digest) {
    throw new UserError(
      `registry: ${repository}:${tag} does not resolve (HTTP ${response.status}) right after the push. The push did not land; re-run the job.`,
    );
  }
  return response.digest;
}
