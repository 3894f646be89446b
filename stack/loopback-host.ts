import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { EXTRA_REGISTRY_HOSTS } from './engine.js';
import { dirname, join } from 'node:path';

/**
 * A host name on a loopback address of its own, with a TLS certificate signed by the engine's CA
 * (its key lies beside ca.crt) that dockerd and Node (NODE_EXTRA_CA_CERTS) already trust. Each
 * piece marks its own /etc/hosts line and removes only that.
 */
export interface LoopbackHost {
  host: string;
  ip: string;
  certFile: string;
  keyFile: string;
  release(): void;
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function signCertificate(caFile: string, host: string, dir: string): { certFile: string; keyFile: string } {
  const caKey = join(dirname(caFile), 'ca.key');
  const keyFile = join(dir, `${host}.key`);
  const csr = join(dir, `${host}.csr`);
  const certFile = join(dir, `${host}.crt`);
  const ext = join(dir, `${host}.ext`);
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${host}`]);
  writeFileSync(ext, `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
  run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caFile,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-CAserial',
    join(dir, `${host}.srl`),
    '-out',
    certFile,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return { certFile, keyFile };
}

function mark(host: string): string {
  return `# publish-image pipelines ${host}`;
}

export function mapHost(ip: string, host: string): void {
  const hosts = readFileSync('/etc/hosts', 'utf8');
  const line = `${ip} ${host} ${mark(host)}`;
  if (!hosts.split('\n').includes(line)) writeFileSync('/etc/hosts', `${hosts.trimEnd()}\n${line}\n`);
}

export function unmapHost(host: string): void {
  const hosts = readFileSync('/etc/hosts', 'utf8');
  writeFileSync(
    '/etc/hosts',
    `${hosts
      .split('\n')
      .filter((line) => !line.endsWith(mark(host)))
      .join('\n')
      .trimEnd()}\n`,
  );
}

/**
 * `host` → `ip` in /etc/hosts, a certificate for it, and dockerd told to trust the CA for it. The
 * host must be one of the engine's EXTRA_REGISTRY_HOSTS: dockerd's BuildKit reads certs.d only when
 * dockerd starts (its push and pull would see a later entry; its builds would not).
 */
export function loopbackHost(caFile: string, host: string, ip: string, dir: string): LoopbackHost {
  if (!EXTRA_REGISTRY_HOSTS.includes(host)) throw new Error(`${host}: add it to EXTRA_REGISTRY_HOSTS in stack/engine.ts, so dockerd trusts it from the start.`);
  const { certFile, keyFile } = signCertificate(caFile, host, dir);
  const certsDir = `/etc/docker/certs.d/${host}`;
  if (!existsSync(join(certsDir, 'ca.crt'))) {
    mkdirSync(certsDir, { recursive: true });
    writeFileSync(join(certsDir, 'ca.crt'), readFileSync(caFile));
  }
  mapHost(ip, host);
  return {
    host,
    ip,
    certFile,
    keyFile,
    release() {
      unmapHost(host);
    },
  };
}

/**
 * Waits until dockerd resolves `host`. Go's resolver (in dockerd) re-reads /etc/hosts at most every
 * 5 s, so a line added right after dockerd looked up another name is not seen at once.
 */
export async function dockerdResolves(host: string, dockerHost: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const output = await new Promise<string>((resolve) => {
      // A pull of an image that does not exist: "no such host" until the name resolves, then 401/404.
      execFile(
        '/usr/bin/docker',
        ['pull', `${host}/publish-image-probe/none:0`],
        { env: { ...process.env, DOCKER_HOST: dockerHost }, timeout: 10_000 },
        (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
      );
    });
    if (!/no such host|server misbehaving/i.test(output)) return;
    if (Date.now() > deadline) throw new Error(`dockerd does not resolve ${host}: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
