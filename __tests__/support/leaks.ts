// Whether text gives away part of a secret: any 5 characters in a row of its secret part
// (what follows sk-admin-, ghs_ and the like), in either case.
export function leaks(text: string, secret: string): boolean {
  const part = secret.replace(/^(sk-(admin|proj|svcacct)-|sk-|gh[pousr]_|github_pat_)/, '').toLowerCase()
  const lower = text.toLowerCase()
  for (let at = 0; at + 5 <= part.length; at++) if (lower.includes(part.slice(at, at + 5))) return true
  return false
}

/**
 * Echoes of `secret` in a server's message: with padding in front, for every padding that
 * puts a cut at `cutAt` inside the secret or next to it; then after `%20`, and upper-cased.
 */
export function echoes(secret: string, cutAt: number, step = 1): string[] {
  const out: string[] = []
  for (let before = Math.max(0, cutAt - secret.length - 2); before <= cutAt + 2; before += step)
    out.push(`${'x'.repeat(before)}${secret} was given`)
  out.push(`Authorization: Bearer%20${secret}`, `INCORRECT API KEY PROVIDED: ${secret.toUpperCase()}`)
  return out
}
