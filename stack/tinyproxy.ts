import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, stopServer, waitFor } from './process.js';

/**
 * Debian's tinyproxy on loopback, in the foreground (the child is the server). `allow` is who may
 * use it (127.0.0.1 to serve the action; anything else makes it refuse, 403, as a proxy that does
 * not admit this runner); `connectPorts` are the ports CONNECT may reach. Its log shows each CONNECT.
 */
export interface Tinyproxy {
  url: string;
  port: number;
  log(): string;
  /** Targets of the CONNECT requests it served (`host:port`), in order. */
  connects(): string[];
  stop(): Promise<void>;
}

export async function startTinyproxy(options: { allow?: string; connectPorts: number[] }): Promise<Tinyproxy> {
  if (!['/usr/bin/tinyproxy', '/usr/sbin/tinyproxy'].some((path) => existsSync(path))) {
    throw new Error('tinyproxy is missing: apt-get install -y tinyproxy (tests never skip without it).');
  }
  const dir = mkdtempSync(join(tmpdir(), 'tinyproxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const config = join(dir, 'tinyproxy.conf');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      `Allow ${options.allow ?? '127.0.0.1'}`,
      ...options.connectPorts.map((connectPort) => `ConnectPort ${connectPort}`),
      `LogFile "${logFile}"`,
      'LogLevel Connect',
      'MaxClients 50',
      'Timeout 60',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = startServer('tinyproxy', ['-d', '-c', config], join(dir, 'stdout.log'));
  await waitFor(
    'tinyproxy',
    () =>
      new Promise((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
  );
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    // tinyproxy logs "Established connection to host "H" using file descriptor N" for CONNECT (and
    // "Request (file descriptor N): CONNECT H:P HTTP/1.1").
    connects: () => [...log().matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map((match) => match[1]),
    async stop() {
      await stopServer(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
