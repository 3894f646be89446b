import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { startServer, stopServer, waitFor } from './process.js';

/** Everything a test needs to reach the local Docker engine and the registry that stands in for ECR. */
export interface EngineStack {
  dockerHost: string;
  /** CA that signed the registry's certificate: NODE_EXTRA_CA_CERTS for the action. */
  caFile: string;
  registryHost: string;
  /** Folder with Debian's docker 20.10 client first: newer clients need buildx for BuildKit. */
  dockerClientDir: string;
  stop(): Promise<void>;
}

export const PROD_ACCOUNT = '153263036946';
export const STAGING_ACCOUNT = '004947743811';
export const REGION = 'us-east-2';
export const REGISTRY_HOST = `${PROD_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
/**
 * More registry host names the tests serve over TLS from the same CA (a second registry holding base
 * images; a fault-injecting front under another region's ECR host name). dockerd's BuildKit reads
 * /etc/docker/certs.d once, when dockerd starts, so their CA entries are written before it starts.
 */
export const EXTRA_REGISTRY_HOSTS = ['base.registry.publish-image.test', `${PROD_ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com`];
/**
 * Where the registry sends its push events (distribution's `notifications:`): stack/registry-bridge.ts
 * listens there and records each pushed manifest in moto's ECR (PutImage), as ECR lists a pushed image.
 */
export const REGISTRY_EVENTS_PORT = 5099;
/** What moto's GetAuthorizationToken token decodes to after `AWS:`. */
export const REGISTRY_PASSWORD = `${PROD_ACCOUNT}-auth-token`;

const HOSTS_MARK = '# publish-image test stack';

function need(command: string, aptPackage: string): void {
  const found = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((dir) => existsSync(join(dir, command)));
  if (!found) throw new Error(`${command} is missing: apt-get install -y ${aptPackage} (tests never skip without it).`);
}

function run(command: string, args: string[], options: { cwd?: string } = {}): string {
  return execFileSync(command, args, { cwd: options.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function makeCertificates(dir: string, host: string): { caFile: string; certFile: string; keyFile: string } {
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.crt');
  const ext = join(dir, 'server.ext');
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', '/CN=publish-image test CA']);
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${host}`]);
  writeFileSync(ext, `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
  run('openssl', ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', ext]);
  return { caFile, certFile, keyFile };
}

function mapHostToLoopback(host: string): void {
  const hosts = readFileSync('/etc/hosts', 'utf8');
  if (!hosts.includes(`127.0.0.1 ${host} ${HOSTS_MARK}`)) writeFileSync('/etc/hosts', `${hosts.trimEnd()}\n127.0.0.1 ${host} ${HOSTS_MARK}\n`);
}

function unmapHosts(): void {
  const hosts = readFileSync('/etc/hosts', 'utf8');
  writeFileSync(
    '/etc/hosts',
    hosts
      .split('\n')
      .filter((line) => !line.includes(HOSTS_MARK))
      .join('\n'),
  );
}

async function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * dockerd with its own data-root, exec-root, pidfile and socket, and Debian's docker-registry on
 * 127.0.0.1:443 under the ECR host name, TLS from a CA made here, htpasswd user AWS with moto's token.
 */
export async function startEngineStack(): Promise<EngineStack> {
  if (process.getuid?.() !== 0) throw new Error('the engine stack needs root (dockerd, port 443, /etc/hosts).');
  need('dockerd', 'docker.io');
  need('docker-registry', 'docker-registry');
  need('htpasswd', 'apache2-utils');
  need('openssl', 'openssl');
  need('busybox', 'busybox-static');

  const dir = mkdtempSync(join(tmpdir(), 'publish-image-stack-'));
  const children: ChildProcess[] = [];
  const certsDir = `/etc/docker/certs.d/${REGISTRY_HOST}`;
  const extraCertsDirs = EXTRA_REGISTRY_HOSTS.map((host) => `/etc/docker/certs.d/${host}`);
  const stop = async (): Promise<void> => {
    for (const child of children.reverse()) await stopServer(child, 20_000);
    unmapHosts();
    rmSync(certsDir, { recursive: true, force: true });
    for (const extra of extraCertsDirs) rmSync(extra, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const { caFile, certFile, keyFile } = makeCertificates(dir, REGISTRY_HOST);
    mkdirSync(certsDir, { recursive: true });
    writeFileSync(join(certsDir, 'ca.crt'), readFileSync(caFile));
    for (const extra of extraCertsDirs) {
      mkdirSync(extra, { recursive: true });
      writeFileSync(join(extra, 'ca.crt'), readFileSync(caFile));
    }
    mapHostToLoopback(REGISTRY_HOST);

    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, run('htpasswd', ['-Bbn', 'AWS', REGISTRY_PASSWORD]));
    const registryConfig = join(dir, 'registry.yml');
    writeFileSync(
      registryConfig,
      [
        'version: 0.1',
        'log: { level: warn }',
        'storage:',
        `  filesystem: { rootdirectory: ${join(dir, 'registry')} }`,
        '  delete: { enabled: true }',
        'http:',
        '  addr: 127.0.0.1:443',
        `  tls: { certificate: ${certFile}, key: ${keyFile} }`,
        'auth:',
        `  htpasswd: { realm: ecr, path: ${htpasswd} }`,
        // Each manifest push to moto's ECR through the bridge (stack/registry-bridge.ts); blobs and pulls are not sent.
        'notifications:',
        '  endpoints:',
        '    - name: moto-bridge',
        `      url: http://127.0.0.1:${REGISTRY_EVENTS_PORT}/events`,
        '      timeout: 2s',
        '      threshold: 3',
        '      backoff: 250ms',
        '      ignore: { mediatypes: [application/octet-stream], actions: [pull] }',
        '',
      ].join('\n'),
    );
    children.push(startServer('docker-registry', ['serve', registryConfig], join(dir, 'registry.log')));

    const socket = join(dir, 'docker.sock');
    children.push(
      startServer(
        'dockerd',
        ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'), '-H', `unix://${socket}`],
        join(dir, 'dockerd.log'),
      ),
    );
    await waitFor('dockerd', () => socketAnswers(socket), 60_000);
    await waitFor(
      'docker-registry',
      async () => {
        const response = await fetch(`https://${REGISTRY_HOST}/v2/`).catch(() => undefined);
        return response !== undefined;
      },
      30_000,
    ).catch(async () => {
      // fetch needs NODE_EXTRA_CA_CERTS at start-up; fall back to a TCP check.
      await waitFor(
        'docker-registry port',
        () =>
          new Promise((resolve) => {
            const s = connect(443, '127.0.0.1', () => {
              s.end();
              resolve(true);
            });
            s.on('error', () => resolve(false));
          }),
      );
    });

    const dockerClientDir = join(dir, 'bin');
    mkdirSync(dockerClientDir);
    execFileSync('ln', ['-s', '/usr/bin/docker', join(dockerClientDir, 'docker')]);
    return { dockerHost: `unix://${socket}`, caFile, registryHost: REGISTRY_HOST, dockerClientDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
