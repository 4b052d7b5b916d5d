// The fetch the adapters (the OpenAI SDK, Octokit) send their requests with. Behind a proxy
// it goes through undici's EnvHttpProxyAgent, which reads HTTP_PROXY, HTTPS_PROXY and
// NO_PROXY the way GitHub's runner and @actions/http-client document for self-hosted
// runners; neither the SDK's fetch nor Octokit's reads them itself. Without a proxy the
// runtime's own fetch is used, unchanged.
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici'
import type { ProxySettings } from '../settings/settings.js'

export type Fetch = typeof globalThis.fetch

/** The fetch for `proxy`, or undefined (the runtime's fetch) when no proxy is set. */
export function proxiedFetch(proxy: ProxySettings): Fetch | undefined {
  if (!proxy.httpProxy && !proxy.httpsProxy) return undefined
  // Every value is given, so the agent reads nothing from the environment itself.
  const dispatcher = new EnvHttpProxyAgent({
    httpProxy: proxy.httpProxy,
    httpsProxy: proxy.httpsProxy,
    noProxy: proxy.noProxy
  })
  return ((input: Parameters<Fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher
    })) as unknown as Fetch
}
