// What an issue and a comment say: the key, its events in a table, the deletion, the alert
// context, MITRE ATT&CK and the runbook as a checklist. Pure, so the CLI can show an issue
// without GitHub. Every piece of log text goes through the Markdown sanitiser.
import {
  severityLabel,
  type Deletion,
  type Finding,
  type KeyFindings,
  type KeyInfo,
  type Listed
} from '../model/index.js'
import {
  markdownCode,
  markdownCodeList,
  EVENT_COLUMNS,
  eventCells,
  markdownText,
  lastUsedText,
  ownerText,
  severityCell,
  sourceOf,
  table,
  timeCell
} from '../markdown/markdown.js'
import { RULE, tacticName } from '../rules/api-key-anomalous-activity.js'
import { escalationWords, plural, span } from '../text.js'
import {
  headline,
  issueTitle,
  otherKeysSection,
  projectText,
  signalsSection,
  usageWords,
  verdictSection
} from './investigation.js'
import { closedMarker, eventIds, eventMarker, keyMarker } from '../github/markers.js'
import type { IssueOptions } from './options.js'
import type { KeyWork } from './work.js'

/** GitHub refuses bodies and comments over 65,536 characters; stay clear of it. */
export const BODY_BUDGET = 60_000

export interface RenderedIssue {
  title: string
  labels: string[]
  /** The issue body, then any further comments needed to record every event (rarely any). */
  body: string
  more: string[]
}

function eventRow(finding: Finding): string[] {
  return [severityCell(finding.severity), ...eventCells(finding), markdownCode(finding.eventId, 80)]
}

const EVENT_HEADERS = ['Severity', ...EVENT_COLUMNS, 'Event id']

/**
 * A deletion as what it is: who deleted the key, when, and how long after its creation; by
 * the identity that created it within a day, that is the short-lived signal, not a remedy.
 */
function deletionLine(deletion: Deletion, created: Finding | undefined): string {
  const after =
    created?.effectiveAt !== undefined && deletion.effectiveAt !== undefined && created.eventType.endsWith('.created')
      ? `, ${span(deletion.effectiveAt - created.effectiveAt)} after creation`
      : ''
  const same =
    created?.eventType.endsWith('.created') &&
    (deletion.actor.email ?? deletion.actor.name) === (created.actor.email ?? created.actor.name)
      ? ' (by the identity that created it)'
      : ''
  return `- Deleted by ${markdownCode(deletion.actor.email ?? deletion.actor.name, 120)}${same} at ${timeCell(deletion.effectiveAt)}${after}, from ${sourceOf(deletion.actor)} (${markdownCode(deletion.eventType)}, event ${markdownCode(deletion.eventId, 80)})`
}

/** A few items of a list, the rest counted: log text must not grow a body without bound. */
function briefList<T>(items: readonly T[], render: (item: T) => string, separator: string, max = 5): string {
  if (items.length === 0) return '-'
  const shown = items.slice(0, max).map(render).join(separator)
  return items.length > max ? `${shown} and ${items.length - max} more` : shown
}

/** The first `max` items of a list, read one at a time. */
function* first<T>(list: Listed<T>, max: number): Generator<T> {
  for (let index = 0; index < Math.min(max, list.length); index++) yield list.at(index)!
}

function deletedSection(deletions: Listed<Deletion>, created?: Finding): string {
  const lines = [...first(deletions, 20)].map((deletion) => deletionLine(deletion, created))
  if (deletions.length > 20) lines.push(`- …and ${deletions.length - 20} more deletion events`)
  return `### The key was deleted\n\n${lines.join('\n')}`
}

/**
 * What the Admin API said about the key when this run looked it up. It is written once, in a
 * new issue or in a comment that records new events, and never compared: "last used" changes
 * with time, and must not make a rerun write.
 */
export function keyInfoSection(info: KeyInfo | undefined): string {
  if (!info) return ''
  const head = '### The key in the Admin API'
  switch (info.status) {
    case 'found': {
      const lines = [
        `- Owner: ${ownerText(info.owner)}`,
        `- Name: ${markdownText(info.name, 120)}`,
        `- Redacted value: ${markdownCode(info.redactedValue, 80)}`,
        `- Created: ${timeCell(info.createdAt)}`,
        `- Last used: ${lastUsedText(info, 'earlier')}`
      ]
      if (info.expiresAt !== undefined)
        lines.push(`- Expires: ${info.expiresAt === null ? 'never' : timeCell(info.expiresAt)}`)
      return `${head}\n\nAs the Admin API described it at ${timeCell(info.lookedUpAt)}:\n\n${lines.join('\n')}`
    }
    case 'not-found':
      return (
        `${head}\n\n**Not found**: the Admin API answered 404 (not found) for it` +
        `${info.projectId ? ` in project ${markdownCode(info.projectId, 80)}` : ''} at ${timeCell(info.lookedUpAt)}. ` +
        'That is no proof that the key was revoked, and closes nothing: only its deletion in the audit log does.'
      )
    case 'not-looked-up':
      return `${head}\n\nThe key could not be looked up: ${markdownText(info.reason, 400)}.`
  }
}

function runLine(options: IssueOptions): string {
  return options.runUrl ? `Found by [this workflow run](${options.runUrl}).` : 'Found by the openai-keywatch CLI.'
}

/** Items of a list shown in a body at most (scopes, elevated scopes); the rest are counted. */
const LISTED = 20

function contextValue(value: unknown): string {
  if (value === null || value === undefined) return '-'
  if (Array.isArray(value)) return markdownCodeList(value, LISTED, 40)
  // Emails, ids and addresses copy exactly, as code spans.
  return markdownCode(value, 300)
}

function alertContextSection(finding: Finding): string {
  return [
    `### Alert context (event ${markdownCode(finding.eventId, 80)})`,
    Object.entries(finding.alertContext)
      .map(([name, value]) => `- ${markdownCode(name)}: ${contextValue(value)}`)
      .join('\n')
  ].join('\n\n')
}

function mitreSection(): string {
  return [
    '### MITRE ATT&CK',
    RULE.mitre
      .map(
        (entry) =>
          `- ${entry.tactic} ${tacticName(entry.tactic)}: [${entry.technique} ${entry.name}](https://attack.mitre.org/techniques/${entry.technique}/)`
      )
      .join('\n')
  ].join('\n\n')
}

/** How to ask for the revocation from the issue: a person with write access adds the revoke label. */
function revokeWords(options: IssueOptions): string | undefined {
  return options.revokeLabel
    ? `To revoke the key from this issue, a person with write access adds the label ${markdownCode(options.revokeLabel, 60)} ` +
        '(with the revoke workflow set up, docs/revoke.md): the key is deleted through the Admin API and the issue closed.'
    : undefined
}

/** The issue's "what to do" line: the runbook, and how to ask for the revocation. */
function whatToDo(options: IssueOptions): string {
  return ['**What to do**: work through the runbook below.', revokeWords(options)].filter(Boolean).join(' ')
}

/** The rule's runbook as a checklist; its third step ("revoke or rotate") says how to ask for the revocation here. */
function runbookSection(options: IssueOptions): string {
  const revoke = revokeWords(options)
  const steps = RULE.runbook.map((step, index) => (index === 2 && revoke ? `${step} ${revoke}` : step))
  return ['### Runbook', steps.map((step) => `- [ ] ${step}`).join('\n')].join('\n\n')
}

/** The table row of each finding, rendered as it is read. */
function* eventRows(findings: Iterable<Finding>): Generator<string[]> {
  for (const finding of findings) yield eventRow(finding)
}

/**
 * Lays out one body: `head`, as many event rows as fit (of `total`, the rest counted; rows
 * are rendered only until the body is full), `tail`, and the markers of every event.
 * Markers that do not fit go to further bodies, so that every event is recorded and never
 * reported twice.
 */
function layOutBodies(
  head: string,
  rows: Iterable<string[]>,
  total: number,
  tail: string,
  markers: string[]
): string[] {
  const fixed = head.length + tail.length + 600
  const markerSize = (list: string[]): number => list.reduce((size, marker) => size + marker.length + 1, 0)
  // Markers that do not fit here are recorded in further comments; rows keep at least
  // half of the body, so the issue always shows events.
  const markerRoom = total > 0 ? (BODY_BUDGET - fixed) / 2 : BODY_BUDGET - fixed
  let count = 0
  for (let size = 0; count < markers.length && size + markers[count]!.length + 1 <= markerRoom; count++)
    size += markers[count]!.length + 1
  const markersHere = markers.slice(0, count)
  let room = BODY_BUDGET - fixed - markerSize(markersHere)
  const kept: string[][] = []
  for (const row of rows) {
    const size = row.join(' | ').length + 6
    if (size > room) break
    kept.push(row)
    room -= size
  }
  const parts = [head]
  if (kept.length > 0) parts.push(table(EVENT_HEADERS, kept))
  if (kept.length < total)
    parts.push(
      `…and ${plural(total - kept.length, 'more event')} not shown (GitHub's size limit); every one is in the run's JSON report.`
    )
  if (tail) parts.push(tail)
  parts.push(markersHere.join('\n'))
  const bodies = [parts.join('\n\n') + '\n']
  for (let rest = markers.slice(markersHere.length); rest.length > 0;) {
    const chunk: string[] = []
    let size = 200
    while (rest.length > 0 && size + rest[0]!.length + 1 <= BODY_BUDGET) {
      size += rest[0]!.length + 1
      chunk.push(rest.shift()!)
    }
    bodies.push(`openai-keywatch records ${chunk.length} further events of this key here.\n\n${chunk.join('\n')}\n`)
  }
  return bodies
}

/** The distinct names, projects and elevated scopes of a key's findings, in one read of them. */
function namesOf(findings: Iterable<Finding>): {
  names: string[]
  projects: { id: string; name?: string }[]
  elevated: string[]
} {
  const names = new Set<string>()
  const projects = new Map<string, string | undefined>()
  const elevated = new Set<string>()
  for (const finding of findings) {
    if (finding.keyName) names.add(finding.keyName)
    if (finding.projectId) projects.set(finding.projectId, finding.projectName ?? projects.get(finding.projectId))
    for (const scope of finding.elevatedScopes) elevated.add(scope)
  }
  return { names: [...names], projects: [...projects].map(([id, name]) => ({ id, name })), elevated: [...elevated] }
}

/** The key's facts: its name (from the events, else the lookup), projects, scopes and latest actor. */
function factsOf(key: KeyFindings): string {
  const { names, projects, elevated } = namesOf(key.findings)
  const top = key.findings.at(0)!
  if (names.length === 0 && key.info?.status === 'found' && key.info.name) names.push(key.info.name)
  return [
    `- Key: ${markdownCode(key.keyId, 80)}`,
    `- Name: ${briefList(names, (name) => markdownText(name, 120), ', ')}`,
    `- Project: ${briefList(projects, (project) => projectText(project.id, project.name), ' ')}`,
    `- Elevated scopes: ${markdownCodeList(elevated, LISTED, 40)}`,
    `- Latest actor: ${markdownCode(top.actor.name, 120)} from ${sourceOf(top.actor)}`
  ].join('\n')
}

/** What the issue for a key with findings would be. Pure, so the CLI can show it without GitHub. */
export function renderIssue(key: KeyFindings, options: IssueOptions): RenderedIssue {
  const { findings, deletions } = key
  const top = findings.at(0)!
  const head = [
    keyMarker(key.keyId),
    headline(key),
    verdictSection(key),
    `Rule **${RULE.displayName}** (${markdownCode(RULE.id)}) found ${plural(findings.length, 'event')} on this key. ${runLine(options)}`,
    whatToDo(options),
    factsOf(key),
    signalsSection(key.investigation),
    otherKeysSection(key.investigation, options.issueUrls),
    keyInfoSection(key.info),
    '### Events'
  ]
    .filter(Boolean)
    .join('\n\n')
  const deleted = deletions.length > 0 ? deletedSection(deletions, top) : ''
  const tail = [deleted, alertContextSection(top), mitreSection(), runbookSection(options)].filter(Boolean).join('\n\n')
  const markers = eventIds(findings, deletions).map(eventMarker)
  const [body, ...more] = layOutBodies(head, eventRows(findings), findings.length, tail, markers)
  return {
    title: issueTitle(key),
    labels: [options.label, severityLabel(key.severity)],
    body: body!,
    more
  }
}

/** The comment for the events of `work` (those an existing issue has not recorded yet: findings and/or deletions). */
export function renderUpdate(work: KeyWork, options: IssueOptions): string[] {
  const { findings, deletions, info } = work
  const head: string[] = []
  if (findings.length > 0) {
    head.push(`### ${plural(findings.length, 'new event')} on this key\n\n${runLine(options)}`)
    // What this run found out about the identity, written once with the events it concerns.
    if (work.investigation) {
      const { escalation, usage } = work.investigation
      if (escalation)
        head.push(`**${severityCell(escalation.to)}**: ${markdownText(escalationWords(escalation), 300)}.`)
      head.push(signalsSection(work.investigation))
      head.push(otherKeysSection(work.investigation, options.issueUrls))
      if (usage) head.push(`Use of the key: ${usageWords(usage)}.`)
    }
  }
  const tail = [
    deletions.length > 0 ? deletedSection(deletions) + (findings.length === 0 ? `\n\n${runLine(options)}` : '') : '',
    keyInfoSection(info)
  ]
    .filter(Boolean)
    .join('\n\n')
  const markers = eventIds(findings, deletions).map(eventMarker)
  return layOutBodies(head.join('\n\n'), eventRows(findings), findings.length, tail, markers).map((body) =>
    body.replace(/^\n+/, '')
  )
}

/** Positive evidence that a key is gone: its deletion in the audit log (a lookup's 404 is none). */
export type Revocation = { kind: 'deleted'; deletion: Deletion }

/** The comment that closes a key's issue because the key was deleted; its marker keeps it to once. */
export function renderClosing(revocation: Revocation, options: IssueOptions): string {
  const { deletion } = revocation
  const evidence = `The audit log records its deletion: ${markdownCode(deletion.eventType)} at ${timeCell(deletion.effectiveAt)} by ${markdownText(deletion.actor.name, 120)} (event ${markdownCode(deletion.eventId, 80)}).`
  return (
    [
      '### The key was deleted: closing this issue',
      `${evidence} With close-when-revoked, openai-keywatch closes the issue as completed. Reopen it if the review is not done; it will not be closed again.`,
      runLine(options),
      closedMarker()
    ].join('\n\n') + '\n'
  )
}
