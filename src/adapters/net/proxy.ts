import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { log } from '../../log.js';
import { proxyConfigured } from './proxy-env.js';

/**
 * HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY (either case), as curl, the AWS CLI,
 * amazon-ecr-login and configure-aws-credentials read them. `proxy-from-env` decides which proxy a
 * URL takes (NO_PROXY: host names, `.suffix`/`*.suffix`, `host:port`, `*`); `https-proxy-agent`
 * tunnels through it with CONNECT, for https and http targets alike (so a proxy that refuses is
 * told apart from an answer of the target). Every failure on the proxy leg names the proxy.
 */
export { proxyConfigured };

/** The proxy URL as it may be printed: credentials in it are replaced by `***`. */
export function displayProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    if (url.username || url.password) {
      url.username = '***';
      url.password = '';
    }
    return url.href.replace(/\/$/, '');
  } catch {
    return '(unparsable proxy URL)';
  }
}

/** A password in a proxy URL is hidden from every later log line (our messages print `***` anyway). */
function maskProxyPassword(proxy: string): void {
  try {
    const { password } = new URL(proxy);
    if (password) {
      log.mask(password);
      log.mask(decodeURIComponent(password));
    }
  } catch {
    // unparsable: https-proxy-agent refuses it with its own error
  }
}

/** Which variable holds `proxy` (for the message: which setting to fix). */
function sourceOf(proxy: string, target: string, env: NodeJS.ProcessEnv): string {
  const scheme = target.startsWith('https:') ? 'https' : 'http';
  for (const name of [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, 'all_proxy', 'ALL_PROXY']) {
    const value = env[name];
    if (value && (value === proxy || proxy.endsWith(`://${value}`))) return name;
  }
  return `${scheme.toUpperCase()}_PROXY`;
}

/** The proxy that `target` (a URL) goes through, or undefined for a direct connection. */
export function proxyFor(target: string, env: NodeJS.ProcessEnv = process.env): { url: string; variable: string } | undefined {
  const url = getProxyForUrl(target);
  return url ? { url, variable: sourceOf(url, target, env) } : undefined;
}

/** A failure on the way through the proxy. `code` is kept, so the AWS SDK still retries resets and refusals. */
export class ProxyError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = 'ProxyError';
    this.code = code;
  }
}

const ADVICE = 'Check that the proxy is running and lets this runner through, or list the host in NO_PROXY.';

/** https-proxy-agent, with every failure of the proxy leg turned into one message that names the proxy. */
class NamedProxyAgent extends HttpsProxyAgent<string> {
  constructor(
    private readonly proxyUrl: string,
    private readonly variable: string,
  ) {
    super(proxyUrl, { keepAlive: true });
  }

  async connect(req: http.ClientRequest, opts: AgentConnectOpts): Promise<net.Socket> {
    const target = `${opts.host}:${opts.port}`;
    const via = `the proxy ${displayProxy(this.proxyUrl)} (from ${this.variable})`;
    let answer: { statusCode: number; statusText: string } | undefined;
    req.once('proxyConnect', (connect: { statusCode: number; statusText: string }) => (answer = connect));
    let socket: net.Socket;
    try {
      socket = await super.connect(req, opts);
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      throw new ProxyError(`cannot reach ${target} through ${via}: ${message ?? String(error)}. ${ADVICE}`, code);
    }
    if (answer && answer.statusCode !== 200) {
      socket.destroy();
      throw new ProxyError(
        `${via} refused to connect to ${target} (it answered ${answer.statusCode} ${answer.statusText} to CONNECT). ${ADVICE}`,
        'EPROXYREFUSED',
      );
    }
    return socket;
  }
}

/** One agent per protocol that picks, per target, the proxy from the environment or a direct connection. */
class EnvProxyAgent extends Agent {
  private readonly proxied = new Map<string, NamedProxyAgent>();
  private readonly direct: http.Agent;

  constructor(private readonly secure: boolean) {
    super({ keepAlive: true });
    this.direct = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  }

  isSecureEndpoint(): boolean {
    return this.secure;
  }

  connect(_req: http.ClientRequest, opts: AgentConnectOpts): http.Agent {
    const host = opts.host?.includes(':') ? `[${opts.host}]` : opts.host;
    const proxy = proxyFor(`${this.secure ? 'https' : 'http'}://${host}:${opts.port}`);
    if (!proxy) return this.direct;
    let agent = this.proxied.get(proxy.url);
    if (!agent) {
      maskProxyPassword(proxy.url);
      agent = new NamedProxyAgent(proxy.url, proxy.variable);
      this.proxied.set(proxy.url, agent);
    }
    return agent;
  }
}

let agents: { httpAgent: http.Agent; httpsAgent: http.Agent } | undefined;

/**
 * The agents every outgoing call of the action uses when a proxy is configured (AWS SDK clients and
 * the registry check); undefined when no proxy variable is set, so nothing changes then.
 */
export function proxyAgents(env: NodeJS.ProcessEnv = process.env): { httpAgent: http.Agent; httpsAgent: http.Agent } | undefined {
  if (!proxyConfigured(env)) return undefined;
  agents ??= { httpAgent: new EnvProxyAgent(false), httpsAgent: new EnvProxyAgent(true) };
  return agents;
}
