// The admin key must never reach a log, an error, the summary, an issue or the report.
// Error text from libraries is scrubbed of the key itself and of anything shaped like one.
const KEY_SHAPED = /\b(sk-(?:admin-|proj-|svcacct-)?)[A-Za-z0-9_-]{8,}/g

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***')
  return out.replace(KEY_SHAPED, '$1***')
}

export function errorMessage(error: unknown, secrets: readonly string[] = []): string {
  const message = error instanceof Error ? error.message : String(error)
  return redact(message, secrets)
}
