// The fetch the adapters (the OpenAI SDK, Octokit) send their requests with. Behind a proxy
// it goes through undici's EnvHttpProxyAgent, which reads HTTP_PROXY, HTTPS_PROXY and
// NO_PROXY the way GitHub's runner and @actions/http-client document for self-hosted
// runners; neither the SDK's fetch nor Octokit's reads them itself. A loopback address is
// always reached directly, whatever NO_PROXY says: through a proxy it would be the proxy's
// own machine, and a plain http:// request (the admin key in it) would reach the proxy in
// clear text. Without a proxy the runtime's own fetch is used, unchanged.
import { Agent, EnvHttpProxyAgent, fetch as undiciFetch, type Dispatcher } from 'undici'
import type { ProxySettings } from '../model/index.js'
import { isLoopback } from './loopback.js'

export type Fetch = typeof globalThis.fetch

const made = new WeakMap<ProxySettings, Fetch>()

/**
 * The fetch for `proxy`, or undefined (the runtime's fetch) when no proxy is set. One per
 * settings: the audit log, the key lookups and GitHub share its agents and connections.
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

/** The host a request goes to, or undefined when it cannot be told (undici then refuses it anyway). */
function hostnameOf(input: Parameters<Fetch>[0]): string | undefined {
  try {
    return new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).hostname
  } catch {
    return undefined
  }
}

function throughAgent(proxy: ProxySettings): Fetch {
  // Every value is given, so the agent reads nothing from the environment itself.
  const proxied = new EnvHttpProxyAgent({
    httpProxy: proxy.httpProxy,
    httpsProxy: proxy.httpsProxy,
    noProxy: proxy.noProxy
  })
  const direct = new Agent()
  return ((input: Parameters<Fetch>[0], init?: RequestInit) => {
    const host = hostnameOf(input)
    const dispatcher: Dispatcher = host !== undefined && isLoopback(host) ? direct : proxied
    return undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher
    })
  }) as unknown as Fetch
}
