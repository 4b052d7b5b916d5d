// What a revocation says on its issue: one comment per label event, whatever it came to.
// Pure. Key names and owners come from OpenAI but were chosen by whoever made the key:
// they go through the Markdown sanitiser like everything else.
import { markdownCode, markdownText } from '../markdown/markdown.js'
import { revokedMarker } from '../github/markers.js'
import { REVOKED_LABEL } from '../model/index.js'
import { isoTime } from '../text.js'
import type { DeleteAnswer, HeldKey } from './openai.js'

/** Who asked, when, with which label, and the run that answered. */
export interface Asked {
  sender: string
  /** The sender's role as GitHub named it (write, maintain, admin). */
  role?: string
  revokeLabel: string
  /** Unix seconds. */
  at: number
  runUrl?: string
}

// Where a person revokes by hand (help.openai.com, "How can I view the users or organizations
// associated with an API key?": "revoke it from the API keys settings page for its scope").
const PROJECT_KEYS_PAGE = "the project's API keys page (https://platform.openai.com/api-keys, in the key's project)"
const ADMIN_KEYS_PAGE = 'https://platform.openai.com/settings/organization/admin-keys'

function runLine(asked: Asked): string {
  return asked.runUrl ? `Answered by [this workflow run](${asked.runUrl}).` : ''
}

function askedLine(asked: Asked): string {
  const role = asked.role ? ` (${markdownText(asked.role, 40)} permission)` : ''
  return `${markdownText(asked.sender, 60)}${role} asked for it at ${isoTime(asked.at, true)} by adding the label ${markdownCode(asked.revokeLabel, 60)}.`
}

function keyWords(key: HeldKey): string {
  const what = key.kind === 'admin' ? 'admin API key' : 'project API key'
  const name = key.name
    ? ` (${markdownText(key.name, 120)}${key.redactedValue ? `, ${markdownCode(key.redactedValue, 40)}` : ''})`
    : ''
  const where = key.kind === 'project' ? ` in project ${markdownCode(key.projectId, 80)}` : ''
  return `${what} ${markdownCode(key.keyId, 80)}${name}${where}`
}

function body(parts: (string | undefined | false)[]): string {
  return parts.filter(Boolean).join('\n\n') + '\n'
}

/**
 * Rotation is not revocation: a service account's key gone, the account and its other keys
 * remain (the SDK's words for the delete: "Deleting a service-account key does not delete the
 * service account or its other keys.").
 */
function serviceAccountNote(key: HeldKey): string | undefined {
  if (key.owner.type !== 'service_account') return undefined
  const account = `${markdownText(key.owner.name, 80)}${key.owner.id ? ` (${markdownCode(key.owner.id, 80)})` : ''}`
  return (
    `**This key belonged to service account ${account}. Rotation is not revocation**: deleting the key leaves the ` +
    'service account and its other keys in place (the openai SDK\'s words for this delete: "Deleting a service-account ' +
    'key does not delete the service account or its other keys."). If the account may be compromised, review its other ' +
    `keys on ${PROJECT_KEYS_PAGE} and delete the service account itself (Admin API ` +
    '`DELETE /organization/projects/{project_id}/service_accounts/{service_account_id}`); whatever ran with this key ' +
    'needs a new one, made for it.'
  )
}

/** The key is revoked: what, who asked, when, what OpenAI answered; then the label swap and the close. */
export function revokedComment(key: HeldKey, answer: DeleteAnswer, asked: Asked): string {
  return body([
    '### The key was revoked',
    `openai-keywatch deleted the ${keyWords(key)} through the Admin API. ${askedLine(asked)}`,
    `- Where: ${markdownText(key.how, 200)}\n- OpenAI answered: ${markdownCode(answer.answer, 400)}`,
    serviceAccountNote(key),
    `The label ${markdownCode(asked.revokeLabel, 60)} is swapped for ${markdownCode(REVOKED_LABEL)} and the issue closed as completed. ${runLine(asked)}`,
    revokedMarker(key.keyId)
  ])
}

/** The key was gone before anyone revoked it: said, and the issue closed; nothing deleted. */
export function goneComment(keyId: string, evidence: string, asked: Asked): string {
  return body([
    '### The key is already gone: nothing to revoke',
    `${askedLine(asked)} The key ${markdownCode(keyId, 80)} no longer exists: ${markdownText(evidence, 400)}. openai-keywatch deleted nothing.`,
    `The label ${markdownCode(asked.revokeLabel, 60)} is swapped for ${markdownCode(REVOKED_LABEL)} and the issue closed as completed. ${runLine(asked)}`,
    revokedMarker(keyId)
  ])
}

/** A precondition that failed: nothing changed, and why. */
export function refusedComment(reason: string, asked: Asked): string {
  return body([
    '### Not revoked',
    `${askedLine(asked)} openai-keywatch revoked nothing: ${markdownText(reason, 600)}.`,
    `Nothing was changed: the label and the issue stay as they are. ${runLine(asked)}`
  ])
}

/** What to do about a delete OpenAI refused or that failed. */
function remedy(key: HeldKey, answer: DeleteAnswer): string {
  const byHand = key.kind === 'admin' ? ADMIN_KEYS_PAGE : PROJECT_KEYS_PAGE
  if (answer.status === 'refused')
    return (
      (key.kind === 'admin'
        ? "OpenAI refused the delete: the revoke workflow's admin key lacks the permission to delete admin API keys. "
        : "OpenAI refused the delete: the revoke workflow's admin key lacks the permission to write project API keys " +
          '(the openai SDK: "Requires permission to write project API keys"). ') +
      `Give that key the permission, then re-run this workflow run; or delete the key by hand on ${byHand}.`
    )
  if (answer.status === 'service-account')
    return (
      'OpenAI refused to delete a service account\'s key. Its API reference says the delete returns "an error if the key ' +
      'belonged to a service account" (openai/openai-openapi, delete-project-api-key), while the openai SDK (7.42.0 and later) ' +
      'says it deletes "keys owned by service accounts" too: this organization answers as the reference says. To take the key ' +
      'out of use, delete the service account from the project (Admin API ' +
      "`DELETE /organization/projects/{project_id}/service_accounts/{service_account_id}`, or the project's settings), " +
      'after giving whatever runs with it a key of its own.'
    )
  return `Re-run this workflow run once OpenAI answers, or delete the key by hand on ${byHand}.`
}

/** The delete failed: the label and the issue stay, so that nothing is half-done silently. */
export function failedComment(key: HeldKey, answer: DeleteAnswer, asked: Asked): string {
  return body([
    '### Not revoked: the delete failed',
    `${askedLine(asked)} openai-keywatch asked the Admin API to delete the ${keyWords(key)}, and it answered ${markdownCode(answer.answer, 400)}.`,
    remedy(key, answer),
    serviceAccountNote(key),
    `Nothing else was changed: the label ${markdownCode(asked.revokeLabel, 60)} stays and the issue stays open. ${runLine(asked)}`
  ])
}

/** Where the key is could not be established from OpenAI, or OpenAI could not be asked: nothing revoked. */
export function unplacedComment(keyId: string, reason: string, asked: Asked): string {
  return body([
    "### Not revoked: OpenAI did not confirm the key's place",
    `${askedLine(asked)} openai-keywatch revokes a key only where OpenAI itself says it is, never where an issue's text says: ` +
      `for ${markdownCode(keyId, 80)}, ${markdownText(reason, 600)}.`,
    'Revoke it from a terminal once you know its project (`openai-keywatch revoke --key ID --project PROJECT_ID`, which ' +
      `checks the project with OpenAI first), or by hand on ${PROJECT_KEYS_PAGE}.`,
    `Nothing was changed: the label ${markdownCode(asked.revokeLabel, 60)} stays and the issue stays open. ${runLine(asked)}`
  ])
}
