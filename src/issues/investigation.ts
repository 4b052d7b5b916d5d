// What an issue says of its key's investigation: the title that triages the issue list, the
// verdict at the top of the body, the signals, the identity's other keys and the key's use.
// Written when the issue is opened and in the comments new events bring; never compared.
import {
  type Deletion,
  type Finding,
  type IdentityKey,
  type Investigation,
  type KeyFindings,
  type KeyInfo,
  type KeyUsage
} from '../model/index.js'
import {
  MARKDOWN,
  markdownCode,
  markdownCodeList,
  markdownLink,
  markdownText,
  severityCell,
  table,
  timeCell
} from '../markdown/markdown.js'
import { cut, escalationWords, evidenceWords, oneLine, plural, span } from '../text.js'
import { markerId } from '../github/markers.js'

/** The kind of key, in words: an admin key, a service account's key, an unrestricted or a project key. */
export function keyKind(finding: Finding, info: KeyInfo | undefined): string {
  if (finding.eventType.startsWith('tenant.admin_api_key.')) return 'Admin key'
  if (finding.actor.serviceAccountId || (info?.status === 'found' && info.owner.type === 'service_account'))
    return finding.scopes.length === 0 ? "Unrestricted service account's key" : "Service account's key"
  return finding.scopes.length === 0 ? 'Unrestricted key' : 'Project key'
}

/** What happened, for a title: "created", "given api_keys:write". */
function happened(finding: Finding): string {
  if (finding.eventType.endsWith('.created')) return 'created'
  return finding.elevatedScopes.length > 0 ? `given ${finding.elevatedScopes.slice(0, 3).join(', ')}` : 'updated'
}

/** Plain text for a title: GitHub does not render titles as Markdown. */
const plain = (value: string, max: number): string => cut(oneLine(value).trim(), max)

/**
 * "[HIGH] Unrestricted key key_abc created by mallory@example.com in Production": the kind
 * of key, the key, what happened, the actor and the project's name. Written once, when the
 * issue is opened; labels carry later changes of severity.
 */
export function issueTitle(key: KeyFindings): string {
  const top = key.findings.at(0)!
  const who = top.actor.email ?? top.actor.name
  const where = top.projectName ?? top.projectId
  return plain(
    `[${key.severity}] ${keyKind(top, key.info)} ${plain(key.keyId, 120)} ${happened(top)} by ${plain(who, 80)}${where && !top.eventType.startsWith('tenant.') ? ` in ${plain(where, 60)}` : ''}`,
    256
  )
}

/** The heading of the body: the title's words in Markdown, ids and emails as code spans. */
export function headline(key: KeyFindings): string {
  const top = key.findings.at(0)!
  const where = top.projectName ?? top.projectId
  const project = where && !top.eventType.startsWith('tenant.') ? ` in ${markdownText(where, 60)}` : ''
  return `## ${severityCell(key.severity)}: ${keyKind(top, key.info)} ${markdownCode(key.keyId, 80)} ${markdownText(happened(top), 120)} by ${markdownCode(top.actor.email ?? top.actor.name, 120)}${project}`
}

/** A project as an issue shows it: its name and its id, when the event carries them. */
export function projectText(id: string | undefined, name: string | undefined): string {
  if (!id) return name ? markdownText(name, 80) : '-'
  return name ? `${markdownText(name, 80)} (${markdownCode(id, 80)})` : markdownCode(id, 80)
}

/** Where the key is revoked in the dashboard (a URL only where a source gives one). */
function revokeWhere(top: Finding): string {
  if (top.eventType.startsWith('tenant.admin_api_key.'))
    // developers.openai.com/api/docs/guides/admin-apis.md links the admin keys page.
    return "the dashboard's admin keys page, https://platform.openai.com/settings/organization/admin-keys"
  // help.openai.com 9132009: "revoke it from the API keys settings page for its scope ... or the relevant Project API keys page".
  return `the project's API keys page in the dashboard (project ${projectText(top.projectId, top.projectName)}): Settings, the project, API keys`
}

/** The key's state in a few words: found, not found, deleted by whom and when. */
function stateWords(info: KeyInfo | undefined, deletion: Deletion | undefined, createdAt: number | undefined): string {
  if (deletion) {
    const after =
      createdAt !== undefined && deletion.effectiveAt !== undefined
        ? `, ${span(deletion.effectiveAt - createdAt)} after creation`
        : ''
    return `deleted by ${markdownCode(deletion.actor.email ?? deletion.actor.name, 120)} at ${timeCell(deletion.effectiveAt)}${after}`
  }
  if (info?.status === 'found') return 'exists (the Admin API holds it)'
  if (info?.status === 'not-found') return 'not found by the Admin API (no proof that it is gone)'
  return 'not known (not looked up)'
}

/** The verdict at the top of the body: severity and why, the identity, the key's state and use, where to revoke it. */
export function verdictSection(key: KeyFindings): string {
  const top = key.findings.at(0)!
  const investigation = key.investigation
  const scopes = top.eventType.startsWith('tenant.admin_api_key.')
    ? 'an admin API key (organization-wide administration)'
    : top.scopes.length === 0
      ? 'unrestricted (all permissions)'
      : `scopes ${markdownCodeList(top.elevatedScopes, 5, 40)}`
  const counting = investigation?.signals.filter((signal) => signal.counts) ?? []
  // The escalation names its signals; without one, the signals that count are listed here.
  const signals = investigation?.escalation
    ? markdownText(escalationWords(investigation.escalation), 300)
    : investigation
      ? `${plural(counting.length, 'signal')}${counting.length ? ` (${counting.map((signal) => signal.label).join(', ')})` : ''}`
      : undefined
  const lines = [
    `**Verdict: ${severityCell(key.severity)}**: ${[scopes, signals].filter(Boolean).join('; ')}.`,
    `- Identity: ${investigation ? identityWords(investigation) : markdownCode(top.actor.name, 120)}`,
    `- Key: ${stateWords(key.info, key.deletions.at(0), top.eventType.endsWith('.created') ? top.effectiveAt : undefined)}${investigation?.usage ? `; use: ${usageWords(investigation.usage)}` : ''}`,
    `- Revoke it at ${revokeWhere(top)}`
  ]
  return lines.join('\n')
}

function identityWords(investigation: Investigation): string {
  const { identity, history } = investigation
  const kind =
    identity.kind === 'service_account' ? 'service account' : identity.kind === 'api_key' ? 'API key' : identity.kind
  const read =
    history.status === 'read'
      ? `history: ${plural(history.events, 'event')}${history.since !== undefined ? ' since ' + timeCell(history.since) : ''} from ${markdownText(history.source, 120)}${history.cut ? ' (the newest only: the read is bounded)' : ''}`
      : `history not read: ${markdownText(history.reason, 300)}`
  return `${markdownCode(identity.name, 120)} (${kind}; ${read})`
}

export function usageWords(usage: KeyUsage): string {
  if (usage.status === 'not-read') return `not read (${markdownText(usage.reason, 300)})`
  const cost = usage.cost
    ? `, cost ${usage.cost.value.toFixed(2)} ${markdownText(usage.cost.currency.toUpperCase(), 10)}`
    : ''
  return `${plural(usage.requests, 'request')}, ${plural(usage.inputTokens + usage.outputTokens, 'token')} (${usage.inputTokens} in, ${usage.outputTokens} out)${cost} from ${timeCell(usage.since)} to ${timeCell(usage.until)} (Usage API)`
}

/** Every signal, one line each with its evidence; those not judged say so. */
export function signalsSection(investigation: Investigation | undefined): string {
  if (!investigation) return ''
  const lines = investigation.signals.map(
    (signal) => `- ${signal.counts ? `**${signal.label}**` : signal.label}: ${evidenceWords(signal.evidence, MARKDOWN)}`
  )
  return ['### Signals', lines.join('\n') || 'None.'].join('\n\n')
}

function otherKeyRow(other: IdentityKey, issueUrls: ReadonlyMap<string, string> | undefined): string[] {
  const url = issueUrls?.get(markerId(other.keyId))
  return [
    markdownCode(other.keyId, 80),
    other.unrestricted ? 'unrestricted (all)' : markdownCodeList(other.scopes, 5, 40),
    other.severity ? severityCell(other.severity) : '-',
    other.state === 'deleted' ? 'deleted' : 'not known to be deleted',
    markdownText(other.projectName, 80),
    timeCell(other.at),
    other.where,
    markdownLink('issue', url) ?? '-'
  ]
}

/** The identity's other keys, in the window and the history. */
export function otherKeysSection(
  investigation: Investigation | undefined,
  issueUrls?: ReadonlyMap<string, string>
): string {
  if (!investigation) return ''
  const head = `### ${markdownCode(investigation.identity.name, 120)}'s other keys`
  if (investigation.otherKeys.length === 0)
    return `${head}\n\nNone created or widened in the window or the history read.`
  return [
    head,
    table(
      ['Key', 'Scopes', 'Severity', 'State', 'Project', 'Time (UTC)', 'Seen in', 'Issue'],
      investigation.otherKeys.map((other) => otherKeyRow(other, issueUrls))
    )
  ].join('\n\n')
}
