// How the adapters reach the Admin API and GitHub.

/**
 * HTTP_PROXY, HTTPS_PROXY and NO_PROXY, the lower-case form first as curl and undici read
 * them; '' when unset. Both the Admin API and GitHub are reached through it.
 */
export interface ProxySettings {
  httpProxy: string
  httpsProxy: string
  noProxy: string
}
