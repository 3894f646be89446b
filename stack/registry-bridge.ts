import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import { PutImageCommand } from '@aws-sdk/client-ecr';
import { ecrIn } from './aws.js';
import { REGISTRY_EVENTS_PORT, REGISTRY_HOST, REGISTRY_PASSWORD } from './engine.js';

/**
 * What makes the test stack's two halves one ECR: docker-registry (distribution 2.8) serves the pushes
 * under the ECR host name, moto serves the ECR API, and without this moto never learns of a push (ECR's
 * own DescribeImages lists an image the moment its push ends). The registry is configured (stack/engine.ts,
 * `notifications: endpoints:`) to send its push events to 127.0.0.1:REGISTRY_EVENTS_PORT; this listener takes
 * each manifest push (`target.mediaType` a manifest type; blobs are not sent), fetches the very bytes the
 * registry stored (GET /v2/<name>/manifests/<digest>, as a puller would) and hands them to moto's ECR as
 * ECR records a push: PutImage(imageManifest, imageManifestMediaType, imageTag when pushed by tag) in the
 * account and region of the request's host name (`<account>.dkr.ecr.<region>.amazonaws.com`), with the
 * registry's digest (`imageDigest`: moto would make one up from the layers). moto then lists the very
 * digest the registry serves, and enforces tag immutability as ECR does.
 *
 * The registry sends events asynchronously (a queue per endpoint, retried with backoff): the copy lands
 * a few milliseconds after the push's answer, well before a publish has confirmed the tags with the
 * registry and written its grant, when it first reads the images. `settled()` waits for every event
 * received so far. Events older than the listener are ignored (another file's, queued while none listened).
 *
 * One engine file runs at a time (scripts/test.ts), so the fixed port has one listener: useMoto starts it
 * for a file that runs with the engine stack (stack/fixture.ts). `enabled: false` acknowledges and drops
 * every event (a file that shows pushes to moto itself).
 */
export interface RegistryBridge {
  /** What the bridge recorded in moto (or why not), in order. */
  records: { repository: string; digest: string; tag?: string; region: string; error?: string }[];
  settled(): Promise<void>;
  stop(): Promise<void>;
}

interface RegistryEvent {
  action?: string;
  timestamp?: string;
  target?: { mediaType?: string; digest?: string; repository?: string; tag?: string };
  request?: { host?: string };
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

/**
 * The manifest as the registry stores it, fetched from the registry itself (127.0.0.1:443 under its own
 * name, TLS from the stack's CA), whichever front (another region's host name) the push went through.
 */
function fetchManifest(repository: string, digest: string, ca: Buffer): Promise<{ body: string; mediaType: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: 443,
        servername: REGISTRY_HOST,
        path: `/v2/${repository}/manifests/${digest}`,
        headers: {
          Host: REGISTRY_HOST,
          Accept: MANIFEST_TYPES.join(', '),
          Authorization: `Basic ${Buffer.from(`AWS:${REGISTRY_PASSWORD}`).toString('base64')}`,
        },
        ca,
        timeout: 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) return reject(new Error(`GET manifest ${digest}: HTTP ${response.statusCode}`));
          resolve({ body: Buffer.concat(chunks).toString('utf8'), mediaType: String(response.headers['content-type'] ?? '') });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

export async function startRegistryBridge(motoEndpoint: string, caFile: string, options: { enabled?: boolean } = {}): Promise<RegistryBridge> {
  const ca = readFileSync(caFile);
  const started = Date.now();
  const records: RegistryBridge['records'] = [];
  let chain: Promise<void> = Promise.resolve();

  const record = async (event: RegistryEvent): Promise<void> => {
    const { target, request: from } = event;
    if (event.action !== 'push' || !target?.digest || !target.repository || !MANIFEST_TYPES.includes(target.mediaType ?? '')) return;
    if (event.timestamp && Date.parse(event.timestamp) < started - 1000) return;
    const host = from?.host ?? '';
    const [account, , , region] = host.split(':')[0].split('.');
    const entry: RegistryBridge['records'][number] = {
      repository: target.repository,
      digest: target.digest,
      region: region ?? '',
      ...(target.tag ? { tag: target.tag } : {}),
    };
    try {
      if (!/^\d{12}$/.test(account ?? '') || !region) throw new Error(`not an ECR host: ${host}`);
      const manifest = await fetchManifest(target.repository, target.digest, ca);
      await ecrIn(motoEndpoint, account, region).send(
        new PutImageCommand({
          registryId: account,
          repositoryName: target.repository,
          imageManifest: manifest.body,
          imageManifestMediaType: manifest.mediaType || target.mediaType,
          // ECR takes the digest of the bytes pushed; moto makes one up from the layers unless told it.
          imageDigest: target.digest,
          ...(target.tag ? { imageTag: target.tag } : {}),
        }),
      );
    } catch (error) {
      // Recorded, never thrown: a push the test seeded in moto already (ImageAlreadyExists), or a repository moto lacks.
      entry.error = (error as Error).name === 'Error' ? (error as Error).message : `${(error as Error).name}: ${(error as Error).message}`;
    }
    records.push(entry);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Acknowledged at once (the registry's queue moves on); recorded in arrival order.
      res.writeHead(200).end();
      if (options.enabled === false) return;
      let events: RegistryEvent[];
      try {
        events = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events?: RegistryEvent[] }).events ?? [];
      } catch {
        return;
      }
      for (const event of events) chain = chain.then(() => record(event));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(REGISTRY_EVENTS_PORT, '127.0.0.1', () => resolve());
  });
  return {
    records,
    settled: () => chain,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
