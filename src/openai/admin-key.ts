// The OpenAI Admin API key, as the settings check it and the sources speak of it: what to
// do about a key the API refuses, and the kinds of OpenAI key that cannot read audit logs.

/** What to do about a key the API refuses; said for a wrong key shape too. */
export const KEY_ADVICE =
  'Use an OpenAI Admin API key (sk-admin-...) with read permission on audit logs ' +
  '(OpenAI dashboard: Organization settings > Admin keys), pass it in openai-admin-key from a secret, ' +
  "and make sure audit logging is switched on in the organization's settings (Data controls)."

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
