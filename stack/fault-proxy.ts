import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * An HTTP proxy between the action and moto that injects faults by rule (operation, count,
 * probability, after how many calls), counts every call, and remembers the secrets AWS hands out (to scan logs for them).
 * The action reaches it through AWS_ENDPOINT_URL, like any endpoint.
 *
 * `drop` closes the connection before the request reaches moto (nothing happened); `drop-after`
 * forwards it, lets moto apply it, then closes the connection before the answer: a write that
 * landed although the caller saw it fail.
 *
 * Two behaviours of AWS itself can be switched on, both off by default (and after `clear()`):
 * - `setRateLimits`: a token bucket per operation, as ECR and IAM throttle; an empty bucket is
 *   answered as AWS answers (HTTP 400 `ThrottlingException` JSON for ECR, query-XML `Throttling`
 *   for IAM and STS). `AWS_RATE_LIMITS` holds the documented rates (and marked assumptions).
 * - `setStaleReads`: after a policy write (`PutRolePolicy`, `SetRepositoryPolicy`, and their
 *   deletes), reads of that policy (`GetRolePolicy`, `GetRepositoryPolicy`) keep returning the
 *   document as it was before the write, for a time or a number of reads: a lagging replica.
 */
export type Fault =
  'throttle' | 'http-429' | 'http-500' | 'http-503' | 'latency' | 'drop' | 'drop-after' | 'access-denied' | 'corrupt-policy' | 'repository-not-found';

/** A stored policy that is not what IAM/ECR would accept (moto validates on write, so it comes from here). */
function corruptPolicies(body: string, operation: string): string {
  if (operation === 'GetRolePolicy' || operation === 'GetPolicyVersion') {
    return body.replace(/<(PolicyDocument|Document)>[^<]*</, (_, tag: string) => `<${tag}>${encodeURIComponent('Version: 2012-10-17\nStatement: []')}<`);
  }
  if (operation === 'GetRepositoryPolicy') {
    return body.replace(
      /"policyText"\s*:\s*"(?:[^"\\]|\\.)*"/,
      `"policyText": ${JSON.stringify(JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Broken', Effect: 'Maybe', Principal: '*', Action: 'ecr:BatchGetImage' }] }))}`,
    );
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
  /** Let this many matching calls through first (default 0): "the third SetRepositoryPolicy" is `after: 2`. */
  after?: number;
  latencyMs?: number;
}

export interface ProxyCall {
  service: string;
  operation: string;
  status: number;
  fault?: Fault;
  at: number;
  /** When the answer went back (Date.now()): with `at`, which calls could have waited for which. */
  answeredAt?: number;
  /** Answered `Rate exceeded` because the operation's token bucket was empty. */
  rateLimited?: true;
  /** Answered with the document as it was before a recent write (setStaleReads). */
  stale?: true;
  /** The SDK's `amz-sdk-invocation-id` (one per operation call, shared by its retries) and attempt number. */
  invocation?: string;
  attempt?: number;
  /** The error code of a non-2xx answer (`__type` or `<Code>`). */
  code?: string;
}

/** A token bucket: `rate` tokens a second, holding at most `burst`; every request takes one. */
export interface RateLimit {
  rate: number;
  burst: number;
}

/**
 * Rate limits by `service:Operation`, `service:Prefix*` or `*` (the exact name wins, then the
 * longest prefix). Each operation gets its own bucket, as AWS keeps one per API per account and
 * Region (all callers here are in one account per service).
 */
export type RateLimits = Record<string, RateLimit>;

/**
 * AWS's default request rates. ECR: "Amazon ECR service quotas" (per account and Region,
 * adjustable); it lists only the registry-auth, push and pull APIs. Everything else is an
 * assumption, marked as such: ECR's policy APIs get 20/s, the refill rate of the token-bucket
 * example in ECR's "Troubleshooting Amazon ECR error messages"; IAM and STS publish no numbers
 * ("The number of tokens that a bucket holds and the refill rate depends on the API", AWS
 * Security Blog, "How to monitor and query IAM resources at scale – Part 2"), so reads get 20/s
 * and writes 5/s. Bursts are one second's worth: conservative (ECR's example allows 10×).
 */
export const AWS_RATE_LIMITS: Record<string, RateLimit & { source: 'documented' | 'assumed' }> = {
  'ecr:GetAuthorizationToken': { rate: 500, burst: 500, source: 'documented' },
  'ecr:BatchGetImage': { rate: 2000, burst: 2000, source: 'documented' },
  'ecr:BatchCheckLayerAvailability': { rate: 1000, burst: 1000, source: 'documented' },
  'ecr:GetDownloadUrlForLayer': { rate: 3000, burst: 3000, source: 'documented' },
  'ecr:InitiateLayerUpload': { rate: 100, burst: 100, source: 'documented' },
  'ecr:UploadLayerPart': { rate: 500, burst: 500, source: 'documented' },
  'ecr:CompleteLayerUpload': { rate: 100, burst: 100, source: 'documented' },
  'ecr:PutImage': { rate: 10, burst: 10, source: 'documented' },
  'ecr:*': { rate: 20, burst: 20, source: 'assumed' },
  'iam:*': { rate: 20, burst: 20, source: 'assumed' },
  'iam:Put*': { rate: 5, burst: 5, source: 'assumed' },
  'iam:Delete*': { rate: 5, burst: 5, source: 'assumed' },
  'iam:Create*': { rate: 5, burst: 5, source: 'assumed' },
  'iam:Attach*': { rate: 5, burst: 5, source: 'assumed' },
  'iam:Detach*': { rate: 5, burst: 5, source: 'assumed' },
  'sts:*': { rate: 20, burst: 20, source: 'assumed' },
};

/** Every rate and burst multiplied by `factor` (bursts at least 1). */
export function scaleRateLimits(limits: RateLimits, factor: number): RateLimits {
  return Object.fromEntries(
    Object.entries(limits).map(([key, { rate, burst }]) => [key, { rate: rate * factor, burst: Math.max(1, Math.round(burst * factor)) }]),
  );
}

/** The limit that applies to one operation: exact name, else the longest matching prefix pattern. */
export function rateLimitFor(limits: RateLimits, service: string, operation: string): RateLimit | undefined {
  const name = `${service}:${operation}`;
  if (limits[name]) return limits[name];
  let best: [string, RateLimit] | undefined;
  for (const [pattern, limit] of Object.entries(limits)) {
    if (!pattern.endsWith('*') || !name.startsWith(pattern.slice(0, -1))) continue;
    if (!best || pattern.length > best[0].length) best = [pattern, limit];
  }
  return best?.[1];
}

/**
 * Stale reads after a write. A write stays invisible to reads of the same policy until `lagMs`
 * have passed since it landed AND `reads` reads have been answered from before it (either may be
 * left out). While a write is invisible, reads get the document as it was just before that write
 * (for the oldest invisible write), exactly as moto answered it then (a missing policy included).
 */
export interface StaleReads {
  lagMs?: number;
  reads?: number;
  /** Which services' policies lag (default both): `iam` (inline role policies), `ecr` (repository policies). */
  services?: ('iam' | 'ecr')[];
}

export interface ProxyStats {
  calls: number;
  /** Operation calls as the SDK made them (one per invocation id, retries included). */
  invocations: number;
  rateLimited: number;
  rateLimitedBy: Record<string, number>;
  staleReads: number;
  staleReadsBy: Record<string, number>;
  /** Invocations whose last attempt was a fault (rate limit, injected fault, 5xx, dropped): failures the caller saw. */
  failedInvocations: ProxyCall[];
  /** Answered calls per `service:Operation` (not rate-limited). */
  servedBy: Record<string, number>;
}

export interface FaultProxy {
  endpoint: string;
  calls: ProxyCall[];
  secrets: Set<string>;
  setRules(rules: FaultRule[]): void;
  /** Token buckets per operation (undefined: none). Buckets start full. */
  setRateLimits(limits: RateLimits | undefined): void;
  /** Stale reads after policy writes (undefined: reads are fresh). */
  setStaleReads(options: StaleReads | undefined): void;
  stats(): ProxyStats;
  /** Back to a plain counting proxy: no rules, no rate limits, no stale reads, no calls recorded. */
  clear(): void;
  stop(): Promise<void>;
}

const WRITE_OPERATIONS = new Set(['SetRepositoryPolicy', 'DeleteRepositoryPolicy', 'CreateRepository', 'PutRolePolicy', 'DeleteRolePolicy', 'PutImage']);
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
      response.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`,
      );
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
      return send(
        json ? 400 : 403,
        json ? 'AccessDeniedException' : 'AccessDenied',
        `User: arn:aws:iam::000000000000:user/test is not authorized to perform: ${service}:${operation}`,
      );
    case 'repository-not-found':
      // ECR's answer for a name it does not list (e.g. a DescribeRepositories that does not see a repository other reads do).
      return send(400, 'RepositoryNotFoundException', 'The repository does not exist in the registry (injected)');
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

/** The query-XML namespace IAM and STS put on their answers. */
const XML_NAMESPACES: Record<string, string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

/** `Rate exceeded` as AWS answers it: ECR's JSON ThrottlingException, IAM/STS query-XML Throttling; both HTTP 400. */
function rateExceeded(response: ServerResponse, json: boolean, service: string): void {
  const requestId = randomUUID();
  if (json) {
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
    response.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
    return;
  }
  const namespace = XML_NAMESPACES[service] ? ` xmlns="${XML_NAMESPACES[service]}"` : '';
  response.writeHead(400, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  response.end(
    `<ErrorResponse${namespace}>\n  <Error>\n    <Type>Sender</Type>\n    <Code>Throttling</Code>\n    <Message>Rate exceeded</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
  );
}

function errorCode(status: number, headers: Record<string, unknown>, body: string): string | undefined {
  if (status >= 200 && status < 300) return undefined;
  const header = headers['x-amzn-errortype'];
  if (typeof header === 'string') return header.split(':')[0];
  const xml = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  if (xml) return xml;
  try {
    const type = (JSON.parse(body) as { __type?: string }).__type;
    return type?.slice(type.lastIndexOf('#') + 1);
  } catch {
    return undefined;
  }
}

/** Headers that describe one connection, which a proxy does not pass on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(target: URL, method: string, path: string, headers: IncomingMessage['headers'], body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: target.hostname, port: target.port, method, path, headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
      answer.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Policy writes and reads that lag (setStaleReads), with the key of the policy they touch. */
const POLICY_WRITES: Record<string, 'iam' | 'ecr'> = {
  PutRolePolicy: 'iam',
  DeleteRolePolicy: 'iam',
  SetRepositoryPolicy: 'ecr',
  DeleteRepositoryPolicy: 'ecr',
};
const POLICY_READS: Record<string, 'iam' | 'ecr'> = { GetRolePolicy: 'iam', GetRepositoryPolicy: 'ecr' };

function policyKey(kind: 'iam' | 'ecr', body: string): { key: string; params: Record<string, string> } | undefined {
  if (kind === 'iam') {
    const form = new URLSearchParams(body);
    const RoleName = form.get('RoleName');
    const PolicyName = form.get('PolicyName');
    return RoleName && PolicyName ? { key: `iam:${RoleName}/${PolicyName}`, params: { RoleName, PolicyName } } : undefined;
  }
  try {
    const { registryId, repositoryName } = JSON.parse(body) as { registryId?: string; repositoryName?: string };
    if (!repositoryName) return undefined;
    return { key: `ecr:${repositoryName}`, params: registryId ? { registryId, repositoryName } : { repositoryName } };
  } catch {
    return undefined;
  }
}

/** The read of the same policy, signed as the write was (moto checks no signatures): what the policy is before the write. */
function readRequestFor(
  kind: 'iam' | 'ecr',
  params: Record<string, string>,
  headers: IncomingMessage['headers'],
): { headers: IncomingMessage['headers']; body: Buffer } {
  const body =
    kind === 'iam'
      ? Buffer.from(new URLSearchParams({ Action: 'GetRolePolicy', Version: '2010-05-08', ...params }).toString())
      : Buffer.from(JSON.stringify(params));
  const copy: IncomingMessage['headers'] = { ...headers, 'content-length': String(body.length) };
  delete copy['transfer-encoding'];
  if (kind === 'ecr') copy['x-amz-target'] = 'AmazonEC2ContainerRegistry_V20150921.GetRepositoryPolicy';
  return { headers: copy, body };
}

interface PolicyVersion {
  /** The read answer as it was just before this write. */
  before: Answer;
  /** When the write landed (Infinity while it is in flight). */
  landedAt: number;
  staleReadsServed: number;
}

const isFailure = (call: ProxyCall): boolean =>
  call.rateLimited === true ||
  call.status === 0 ||
  call.status >= 500 ||
  (call.fault !== undefined && call.fault !== 'latency' && call.fault !== 'corrupt-policy');

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rules: (FaultRule & { applied: number; seen: number })[] = [];
  const calls: ProxyCall[] = [];
  const secrets = new Set<string>();
  let limits: RateLimits | undefined;
  const buckets = new Map<string, { tokens: number; at: number }>();
  let stale: StaleReads | undefined;
  const versions = new Map<string, PolicyVersion[]>();
  const locks = new Map<string, Promise<unknown>>();

  /** Takes a token from the operation's bucket; false when it is empty (the call is throttled). */
  const takeToken = (service: string, operation: string): boolean => {
    const limit = limits && rateLimitFor(limits, service, operation);
    if (!limit) return true;
    const key = `${service}:${operation}`;
    const now = performance.now();
    const bucket = buckets.get(key) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.rate);
    bucket.at = now;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };

  const lags = (kind: 'iam' | 'ecr' | undefined): boolean => kind !== undefined && stale !== undefined && (stale.services ?? ['iam', 'ecr']).includes(kind);
  const visible = (version: PolicyVersion, now: number): boolean =>
    version.landedAt !== Infinity && now >= version.landedAt + (stale?.lagMs ?? 0) && version.staleReadsServed >= (stale?.reads ?? 0);

  /** The answer a lagging replica gives for this policy now, or undefined when it is up to date. */
  const staleAnswer = (key: string): Answer | undefined => {
    const list = versions.get(key);
    if (!list) return undefined;
    const now = Date.now();
    while (list.length > 0 && visible(list[0], now)) list.shift();
    if (list.length === 0) {
      versions.delete(key);
      return undefined;
    }
    for (const version of list) version.staleReadsServed++;
    return list[0].before;
  };

  /** One policy write at a time per policy, so "before" is exactly what the write replaced. */
  const serialized = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = locks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    locks.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  };

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const { service, operation, json } = identify(incoming, text);
      const invocation = typeof incoming.headers['amz-sdk-invocation-id'] === 'string' ? incoming.headers['amz-sdk-invocation-id'] : undefined;
      const attempt = Number(/attempt=(\d+)/.exec(String(incoming.headers['amz-sdk-request'] ?? ''))?.[1]) || undefined;
      const base = { service, operation, at: Date.now(), invocation, attempt };

      if (!takeToken(service, operation)) {
        rateExceeded(response, json, service);
        calls.push({ ...base, status: 400, rateLimited: true, code: json ? 'ThrottlingException' : 'Throttling' });
        return;
      }

      // A rule's `after` calls are let through (and counted) before it applies.
      const waiting = (candidate: FaultRule & { seen: number }): boolean => candidate.seen++ < (candidate.after ?? 0);
      const rule = rules.find(
        (candidate) =>
          (candidate.operation === '*' || candidate.operation === operation) &&
          (candidate.count === undefined || candidate.applied < candidate.count) &&
          !waiting(candidate) &&
          Math.random() < (candidate.probability ?? 1),
      );
      if (rule) rule.applied++;
      const record = (status: number, extra: Partial<ProxyCall> = {}): void =>
        void calls.push({ ...base, status, fault: rule?.fault, answeredAt: Date.now(), ...extra });
      if (rule && rule.fault === 'drop') {
        record(0);
        incoming.socket.destroy();
        return;
      }
      if (rule && rule.fault === 'drop-after') {
        // moto applies it; the caller never hears: the socket closes before the answer.
        const drop = (): void => {
          record(0);
          incoming.socket.destroy();
        };
        send(upstream, incoming.method ?? 'POST', incoming.url ?? '/', incoming.headers, body).then(drop, drop);
        return;
      }
      if (rule && rule.fault !== 'latency' && rule.fault !== 'corrupt-policy') {
        faultResponse(response, rule.fault, json, operation, service);
        record(response.statusCode, { code: undefined });
        return;
      }

      const reply = (answer: Answer, extra: Partial<ProxyCall> = {}): void => {
        let answerBody = answer.body;
        rememberSecrets(answerBody.toString('utf8'), secrets);
        if (rule?.fault === 'corrupt-policy') answerBody = Buffer.from(corruptPolicies(answerBody.toString('utf8'), operation));
        const headers: Answer['headers'] = { ...answer.headers, 'content-length': String(answerBody.length) };
        // Hop-by-hop headers are the upstream connection's, not the client's (RFC 9110 §7.6.1): moto's
        // server closes every connection, AWS keeps them open, and the client here sees what AWS would.
        for (const name of HOP_BY_HOP) delete headers[name];
        response.writeHead(answer.status, headers);
        response.end(answerBody);
        record(answer.status, { code: errorCode(answer.status, answer.headers, answerBody.toString('utf8')), ...extra });
      };
      const failed = (): void => {
        if (!response.headersSent) response.writeHead(502);
        response.end();
        record(502);
      };
      const passOn = (): Promise<Answer> => send(upstream, incoming.method ?? 'POST', incoming.url ?? '/', incoming.headers, body);

      const forward = (): void => {
        const readKind = POLICY_READS[operation];
        const writeKind = POLICY_WRITES[operation];
        if (lags(readKind)) {
          const policy = policyKey(readKind, text);
          const answer = policy && staleAnswer(policy.key);
          if (answer) return reply(answer, { stale: true });
        }
        if (lags(writeKind)) {
          const policy = policyKey(writeKind, text);
          if (policy) {
            void serialized(policy.key, async () => {
              const read = readRequestFor(writeKind, policy.params, incoming.headers);
              const before = await send(upstream, 'POST', incoming.url ?? '/', read.headers, read.body);
              const version: PolicyVersion = { before, landedAt: Infinity, staleReadsServed: 0 };
              const list = versions.get(policy.key) ?? [];
              list.push(version);
              versions.set(policy.key, list);
              const answer = await passOn().catch((error: unknown) => {
                list.splice(list.indexOf(version), 1);
                throw error;
              });
              if (answer.status >= 200 && answer.status < 300) version.landedAt = Date.now();
              else list.splice(list.indexOf(version), 1);
              reply(answer);
            }).catch(failed);
            return;
          }
        }
        passOn().then((answer) => reply(answer), failed);
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
      rules = next.map((rule) => ({ ...rule, applied: 0, seen: 0 }));
    },
    setRateLimits(next) {
      limits = next;
      buckets.clear();
    },
    setStaleReads(next) {
      stale = next;
      versions.clear();
    },
    stats() {
      const count = (list: ProxyCall[]): Record<string, number> =>
        list.reduce<Record<string, number>>(
          (counts, call) => ({ ...counts, [`${call.service}:${call.operation}`]: (counts[`${call.service}:${call.operation}`] ?? 0) + 1 }),
          {},
        );
      const last = new Map<string, ProxyCall>();
      calls.forEach((call, index) => last.set(call.invocation ?? `call-${index}`, call));
      const rateLimited = calls.filter((call) => call.rateLimited);
      const staleReads = calls.filter((call) => call.stale);
      return {
        calls: calls.length,
        invocations: last.size,
        rateLimited: rateLimited.length,
        rateLimitedBy: count(rateLimited),
        staleReads: staleReads.length,
        staleReadsBy: count(staleReads),
        failedInvocations: [...last.values()].filter(isFailure),
        servedBy: count(calls.filter((call) => !call.rateLimited)),
      };
    },
    clear() {
      rules = [];
      calls.length = 0;
      limits = undefined;
      buckets.clear();
      stale = undefined;
      versions.clear();
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
