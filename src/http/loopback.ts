// Loopback hosts: 127.0.0.0/8, ::1 and localhost. Only these may be reached without TLS, and
// never through a proxy, which would resolve them on its own machine.

/**
 * Whether a URL's hostname (as `new URL` gives it: IPv4 in dotted form, IPv6 in brackets)
 * is a loopback address. The whole name must be one: `127.0.0.1.evil.example` is not.
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}
