/**
 * HTTPS_PROXY / HTTP_PROXY / ALL_PROXY (either case): whether any is set. Apart from proxy.ts so that
 * a run without a proxy never loads the proxy agents (https-proxy-agent, debug): start-up time.
 */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'];

/** True when any proxy variable is set: only then does the action install its own agents. */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARIABLES.some((name) => Boolean(env[name]));
}
