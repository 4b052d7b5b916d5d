// The OpenAI Admin API key, as the settings check it and the sources speak of it: what to
// do about a key the API refuses, and the kinds of OpenAI key that cannot read audit logs.

/**
 * What to do about a key of the wrong shape, with where the caller takes it from (`passIn`:
 * the action's "openai-admin-key from a secret", the CLI's OPENAI_ADMIN_KEY).
 */
export function keyAdvice(passIn: string): string {
  return (
    'Use an OpenAI Admin API key (sk-admin-...) with read permission on audit logs ' +
    `(OpenAI dashboard: Organization settings > Admin keys), pass it in ${passIn}, ` +
    "and make sure audit logging is switched on in the organization's settings (Data controls)."
  )
}

/** What to do about a key the API refuses, in the action's words (the sources take the caller's, a Voice). */
export const KEY_ADVICE = keyAdvice('openai-admin-key from a secret')

/**
 * The kind of an OpenAI key that is not an Admin API key, in words, from its prefix: a
 * project, service account or user key cannot read audit logs. Undefined for an admin key,
 * and for anything that is not shaped like an OpenAI key (the API judges that).
 */
export function notAdminKey(key: string): string | undefined {
  if (/^sk-proj-/.test(key)) return 'a project API key (sk-proj-...)'
  if (/^sk-svcacct-/.test(key)) return 'a service account API key (sk-svcacct-...)'
  if (/^sk-(?!admin-)/.test(key)) return 'a user API key (sk-...)'
  return undefined
}
