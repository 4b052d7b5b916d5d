// The fetch the adapters (the OpenAI SDK, Octokit) send their requests with. Behind a proxy
// it goes through undici's EnvHttpProxyAgent, which reads HTTP_PROXY, HTTPS_PROXY and
// NO_PROXY the way GitHub's runner and @actions/http-client document for self-hosted
// runners; neither the SDK's fetch nor Octokit's reads them itself. Without a proxy the
// runtime's own fetch is used, unchanged.
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici'
import type { ProxySettings } from '../settings/settings.js'

export type Fetch = typeof globalThis.fetch

const made = new WeakMap<ProxySettings, Fetch>()

/**
 * The fetch for `proxy`, or undefined (the runtime's fetch) when no proxy is set. One per
 * settings: the audit log, the key lookups and GitHub share its agent and connections.
 */
export function proxiedFetch(proxy: ProxySettings): Fetch | undefined {
  if (!proxy.httpProxy && !proxy.httpsProxy) return undefined
  let fetch = made.get(proxy)
  if (!fetch) {
    fetch = throughAgent(proxy)
    made.set(proxy, fetch)
  }
  return fetch
}

function throughAgent(proxy: ProxySettings): Fetch {
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
