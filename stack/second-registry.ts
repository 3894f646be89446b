import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTRA_REGISTRY_HOSTS } from './engine.js';
import { engineFromEnv } from './env.js';
import { dockerdResolves, loopbackHost } from './loopback-host.js';
import { startServer, stopServer, waitFor } from './process.js';

/**
 * A second registry beside the ECR stand-in: Debian's docker-registry on 127.0.0.2:443 under its
 * own host name, TLS by the same CA, its own htpasswd user. It holds base images that a build pulls
 * `FROM` with the runner user's earlier `docker login`.
 */
export interface SecondRegistry {
  host: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

export const SECOND_REGISTRY_HOST = EXTRA_REGISTRY_HOSTS[0];

export async function startSecondRegistry(caFile: string, host = SECOND_REGISTRY_HOST, ip = '127.0.0.2'): Promise<SecondRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'second-registry-'));
  const loopback = loopbackHost(caFile, host, ip, dir);
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    await stopServer(child, 20_000);
    loopback.release();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const username = 'base-puller';
    const password = `base-${Math.random().toString(36).slice(2)}`;
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', username, password], { encoding: 'utf8' }));
    const config = join(dir, 'registry.yml');
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log: { level: warn }',
        'storage:',
        `  filesystem: { rootdirectory: ${join(dir, 'data')} }`,
        'http:',
        `  addr: ${ip}:443`,
        `  tls: { certificate: ${loopback.certFile}, key: ${loopback.keyFile} }`,
        'auth:',
        `  htpasswd: { realm: base, path: ${htpasswd} }`,
        '',
      ].join('\n'),
    );
    child = startServer('docker-registry', ['serve', config], join(dir, 'registry.log'));
    await waitFor(
      'second registry',
      () =>
        new Promise((resolve) => {
          const socket = connect(443, ip, () => {
            socket.end();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        }),
    );
    await dockerdResolves(host, engineFromEnv().dockerHost);
    return { host, username, password, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
