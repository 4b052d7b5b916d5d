// What the action would file for one key, before anything is written to GitHub: the
// title, the labels and a Markdown body with the findings and the rule's runbook as a
// checklist. The CLI's dry runs and the demo show it; the real issue body comes from
// the triage code when issues are filed.
import { RULE, tacticName } from './rules/api-key-anomalous-activity.js'
import type { Finding } from './scan.js'
import type { KeyFindings } from './triage/findings.js'
import { code, inert, isoTime, table } from './triage/markdown.js'

export interface IssuePreview {
  keyId: string
  title: string
  labels: string[]
  /** The rule's runbook, one checklist item per step. */
  checklist: string[]
  /** GitHub Flavored Markdown; everything copied from the audit log is made inert. */
  body: string
}

/** The elevated scopes across the key's findings, in the order first seen. */
export function elevatedScopes(key: KeyFindings): string[] {
  const scopes: string[] = []
  for (const finding of key.findings)
    for (const scope of finding.elevatedScopes) if (!scopes.includes(scope)) scopes.push(scope)
  return scopes
}

/** Plain text (no Markdown); GitHub shows titles as text. Long key ids are capped. */
export function issueTitle(key: KeyFindings): string {
  const keyId = key.keyId.length > 80 ? `${key.keyId.slice(0, 79)}…` : key.keyId
  const scopes = elevatedScopes(key).join(', ')
  const title = `${key.severity}: OpenAI API key ${keyId} with elevated scopes [${scopes}]`
  return title.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 250)
}

function where(finding: Finding): string {
  const { actor } = finding
  const place = [actor.city, actor.country].filter(Boolean).join(', ')
  return [actor.ip ? code(actor.ip) : '', place ? inert(place, 60) : ''].filter(Boolean).join(' ') || '-'
}

export function issuePreview(key: KeyFindings, label: string): IssuePreview {
  const checklist = [...RULE.runbook]
  const rows = key.findings.map((finding) => [
    finding.severity,
    code(finding.eventType),
    isoTime(finding.effectiveAt),
    inert(finding.actor.name, 120),
    finding.scopes.map((scope) => code(scope, 40)).join(' ') || '-',
    where(finding),
    inert(finding.actor.userAgent, 80),
    code(finding.eventId, 80)
  ])
  const deletions = key.deletions.map(
    (deletion) =>
      `- Deleted at ${isoTime(deletion.effectiveAt)} by ${inert(deletion.actor.name, 120)} (event ${code(deletion.eventId, 80)})`
  )
  const parts = [
    `**${key.severity}**: OpenAI API key ${code(key.keyId, 80)} was created or updated with elevated scopes ` +
      `(${elevatedScopes(key)
        .map((scope) => code(scope, 40))
        .join(', ')}).`,
    '### Findings',
    table(
      ['Severity', 'Event', 'Time (UTC)', 'Actor', 'Scopes', 'Source IP, location', 'User agent', 'Event id'],
      rows
    ),
    ...(deletions.length > 0 ? ['### The key was deleted', deletions.join('\n')] : []),
    '### Runbook',
    checklist.map((step) => `- [ ] ${step}`).join('\n'),
    '### Why this matters',
    `Rule ${code(RULE.id)}, MITRE ATT&CK: ${RULE.mitre
      .map((m) => `${m.tactic} ${tacticName(m.tactic)} / ${m.technique} ${m.name}`)
      .join('; ')}.`
  ]
  return { keyId: key.keyId, title: issueTitle(key), labels: [label], checklist, body: `${parts.join('\n\n')}\n` }
}
