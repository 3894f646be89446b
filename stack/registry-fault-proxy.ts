import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGISTRY_HOST } from './engine.js';
import { engineFromEnv } from './env.js';
import { dockerdResolves, loopbackHost } from './loopback-host.js';

/**
 * A TLS front for the registry under another ECR host name (another region of the same account,
 * on its own loopback address), injecting faults by rule: HTTP 5xx (or 403) answers or a connection reset.
 * Everything else is passed to the registry on 127.0.0.1:443 as it is (the Host header too, so the
 * registry's upload URLs keep pointing at the front). dockerd pushes through it like to any registry.
 */
export type RegistryFault = 'http-403' | 'http-500' | 'http-502' | 'http-503' | 'reset' | 'answer';

export interface RegistryFaultRule {
  method: string;
  /** Matched against the request path. */
  path: RegExp;
  fault: RegistryFault;
  /** Apply to this many matching requests, then let them through (default: all). */
  count?: number;
  /** fault 'answer': this status, headers and body (a registry that answers what it likes). */
  answer?: { status: number; headers?: Record<string, string>; body: string };
}

export interface RegistryCall {
  method: string;
  path: string;
  status: number;
  fault?: RegistryFault;
}

export interface RegistryFaultProxy {
  host: string;
  calls: RegistryCall[];
  setRules(rules: RegistryFaultRule[]): void;
  stop(): Promise<void>;
}

/** Manifest pushes: what `docker push` sends last, and does not retry on its own. */
export const MANIFEST_PUT: Pick<RegistryFaultRule, 'method' | 'path'> = { method: 'PUT', path: /^\/v2\/.+\/manifests\/[^/]+$/ };

export async function startRegistryFaultProxy(caFile: string, host: string, ip = '127.0.0.3'): Promise<RegistryFaultProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'registry-fault-'));
  const loopback = loopbackHost(caFile, host, ip, dir);
  const ca = readFileSync(caFile);
  let rules: (RegistryFaultRule & { applied: number })[] = [];
  const calls: RegistryCall[] = [];

  const server: Server = createServer({ cert: readFileSync(loopback.certFile), key: readFileSync(loopback.keyFile) }, (incoming, response) => {
    const path = incoming.url ?? '/';
    const rule = rules.find(
      (candidate) =>
        candidate.method === incoming.method && candidate.path.test(path) && (candidate.count === undefined || candidate.applied < candidate.count),
    );
    if (rule) {
      rule.applied++;
      if (rule.fault === 'reset') {
        calls.push({ method: incoming.method ?? '', path, status: 0, fault: rule.fault });
        incoming.socket.destroy();
        return;
      }
      const status = rule.answer?.status ?? Number(rule.fault.slice('http-'.length));
      incoming.resume();
      incoming.on('end', () => {
        response.writeHead(status, rule.answer?.headers ?? { 'content-type': 'text/plain' });
        response.end(rule.answer?.body ?? `injected ${status}\n`);
      });
      calls.push({ method: incoming.method ?? '', path, status, fault: rule.fault });
      return;
    }
    const outgoing = request(
      { host: '127.0.0.1', port: 443, servername: REGISTRY_HOST, ca, method: incoming.method, path, headers: incoming.headers },
      (answer) => {
        calls.push({ method: incoming.method ?? '', path, status: answer.statusCode ?? 0 });
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on('error', () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    incoming.pipe(outgoing);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(443, ip, resolve);
  });
  await dockerdResolves(host, engineFromEnv().dockerHost);
  return {
    host,
    calls,
    setRules(next) {
      rules = next.map((rule) => ({ ...rule, applied: 0 }));
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      loopback.release();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
