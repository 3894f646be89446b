import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy between the action and moto that injects faults by rule (operation, count,
 * probability), counts every call, and remembers the secrets AWS hands out (to scan logs for them).
 * The action reaches it through AWS_ENDPOINT_URL, like any endpoint.
 */
export type Fault = 'throttle' | 'http-429' | 'http-500' | 'http-503' | 'latency' | 'drop' | 'access-denied' | 'corrupt-policy';

/** A stored policy that is not what IAM/ECR would accept (moto validates on write, so it comes from here). */
function corruptPolicies(body: string, operation: string): string {
  if (operation === 'GetRolePolicy' || operation === 'GetPolicyVersion') {
    return body.replace(/<(PolicyDocument|Document)>[^<]*</, (_, tag: string) => `<${tag}>${encodeURIComponent('Version: 2012-10-17\nStatement: []')}<`);
  }
  if (operation === 'GetRepositoryPolicy') {
    return body.replace(/"policyText"\s*:\s*"(?:[^"\\]|\\.)*"/, `"policyText": ${JSON.stringify(JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Broken', Effect: 'Maybe', Principal: '*', Action: 'ecr:BatchGetImage' }] }))}`);
  }
  return body;
}

export interface FaultRule {
  /** Operation name (e.g. `GetRolePolicy`), or `*` for every operation. */
  operation: string;
  fault: Fault;
  /** Apply to this many matching calls, then let them through (default: every call). */
  count?: number;
  /** Apply with this probability (default 1). */
  probability?: number;
  latencyMs?: number;
}

export interface ProxyCall {
  service: string;
  operation: string;
  status: number;
  fault?: Fault;
  at: number;
}

export interface FaultProxy {
  endpoint: string;
  calls: ProxyCall[];
  secrets: Set<string>;
  setRules(rules: FaultRule[]): void;
  clear(): void;
  stop(): Promise<void>;
}

const WRITE_OPERATIONS = new Set(['SetRepositoryPolicy', 'DeleteRepositoryPolicy', 'CreateRepository', 'PutRolePolicy', 'PutImage']);
export const isWrite = (call: ProxyCall): boolean => WRITE_OPERATIONS.has(call.operation);

function identify(request: IncomingMessage, body: string): { service: string; operation: string; json: boolean } {
  const target = request.headers['x-amz-target'];
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1] ?? 'unknown';
  if (typeof target === 'string') return { service, operation: target.slice(target.indexOf('.') + 1), json: true };
  return { service, operation: new URLSearchParams(body).get('Action') ?? 'unknown', json: false };
}

function faultResponse(response: ServerResponse, fault: Fault, json: boolean, operation: string, service: string): void {
  const send = (status: number, code: string, message: string): void => {
    if (json) {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: code, message }));
    } else {
      response.writeHead(status, { 'content-type': 'text/xml' });
      response.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`);
    }
  };
  switch (fault) {
    case 'throttle':
      return send(400, json ? 'ThrottlingException' : 'Throttling', 'Rate exceeded');
    case 'http-429':
      return send(429, 'TooManyRequestsException', 'Too many requests');
    case 'http-500':
      return send(500, json ? 'ServerException' : 'InternalFailure', 'Internal error (injected)');
    case 'http-503':
      return send(503, 'ServiceUnavailable', 'Service unavailable (injected)');
    case 'access-denied':
      return send(json ? 400 : 403, json ? 'AccessDeniedException' : 'AccessDenied', `User: arn:aws:iam::000000000000:user/test is not authorized to perform: ${service}:${operation}`);
    default:
      throw new Error(`no response for ${fault}`);
  }
}

function rememberSecrets(body: string, secrets: Set<string>): void {
  for (const match of body.matchAll(/<(SecretAccessKey|SessionToken)>([^<]+)</g)) secrets.add(match[2]);
  for (const match of body.matchAll(/"authorizationToken"\s*:\s*"([^"]+)"/g)) {
    secrets.add(match[1]);
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    secrets.add(decoded.slice(decoded.indexOf(':') + 1));
  }
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rules: (FaultRule & { applied: number })[] = [];
  const calls: ProxyCall[] = [];
  const secrets = new Set<string>();

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const { service, operation, json } = identify(incoming, body.toString('utf8'));
      const rule = rules.find(
        (candidate) =>
          (candidate.operation === '*' || candidate.operation === operation) &&
          (candidate.count === undefined || candidate.applied < candidate.count) &&
          Math.random() < (candidate.probability ?? 1),
      );
      if (rule) rule.applied++;
      const record = (status: number): void => void calls.push({ service, operation, status, fault: rule?.fault, at: Date.now() });
      if (rule && rule.fault === 'drop') {
        record(0);
        incoming.socket.destroy();
        return;
      }
      if (rule && rule.fault !== 'latency' && rule.fault !== 'corrupt-policy') {
        faultResponse(response, rule.fault, json, operation, service);
        record(response.statusCode);
        return;
      }
      const forward = (): void => {
        const outgoing = request(
          { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
          (answer) => {
            const answerChunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
            answer.on('end', () => {
              let answerBody = Buffer.concat(answerChunks);
              rememberSecrets(answerBody.toString('utf8'), secrets);
              if (rule?.fault === 'corrupt-policy') answerBody = Buffer.from(corruptPolicies(answerBody.toString('utf8'), operation));
              const headers = { ...answer.headers, 'content-length': String(answerBody.length) };
              delete headers['transfer-encoding'];
              response.writeHead(answer.statusCode ?? 502, headers);
              response.end(answerBody);
              record(answer.statusCode ?? 502);
            });
          },
        );
        outgoing.on('error', () => {
          response.writeHead(502);
          response.end();
          record(502);
        });
        outgoing.end(body);
      };
      if (rule?.fault === 'latency') setTimeout(forward, rule.latencyMs ?? 1000);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    secrets,
    setRules(next) {
      rules = next.map((rule) => ({ ...rule, applied: 0 }));
    },
    clear() {
      rules = [];
      calls.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
