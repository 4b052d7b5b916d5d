// One GitHub issue per offending key, as pure computation: what an issue or a comment
// says, how the issues already written are recognised, and what a run should do for
// each key. The GitHub adapter (src/github/) reads and writes; this module only decides.
import { createHash } from 'node:crypto'
import { RULE, severityRank, tacticName, type Severity } from '../rules/api-key-anomalous-activity.js'
import type { Deletion, Finding } from '../scan.js'
import type { KeyFindings } from './findings.js'
import {
  code,
  EVENT_COLUMNS,
  eventCells,
  inert,
  isoTime,
  severityCell,
  SEVERITY_ICON,
  sourceOf,
  table
} from './markdown.js'
import type { IssueAction } from './report.js'

/** GitHub refuses bodies and comments over 65,536 characters; stay clear of it. */
export const BODY_BUDGET = 60_000
/** GitHub's limit on issue titles. */
const TITLE_LIMIT = 256

const MARKER = 'openai-keywatch'

/**
 * An id as it goes into a hidden marker: verbatim when it is short and plain, a hash
 * otherwise. Either way it cannot close the HTML comment or forge another marker.
 */
export function markerId(id: string): string {
  if (/^[A-Za-z0-9_.:]([A-Za-z0-9_.:-]{0,62}[A-Za-z0-9_.:])?$/.test(id) && !id.includes('--')) return id
  return `sha256-${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 32)}`
}

export function keyMarker(keyId: string): string {
  return `<!-- ${MARKER}:key=${markerId(keyId)} -->`
}

export function eventMarker(eventId: string): string {
  return `<!-- ${MARKER}:event=${markerId(eventId)} -->`
}

// Markers count only on a line of their own: every piece of log text is rendered after
// a prefix on one line, so none can make a line that reads as a marker.
const KEY_MARKER = new RegExp(`^<!-- ${MARKER}:key=([A-Za-z0-9_.:-]{1,80}) -->$`, 'm')
const EVENT_MARKER = new RegExp(`^<!-- ${MARKER}:event=([A-Za-z0-9_.:-]{1,80}) -->$`, 'gm')

/** The key (as markerId) an issue body is about, if it is one of ours. */
export function markedKey(body: string | null | undefined): string | undefined {
  return body ? KEY_MARKER.exec(body)?.[1] : undefined
}

/** The events (as markerId) a body or comment records. */
export function markedEvents(body: string | null | undefined): string[] {
  return body ? [...body.matchAll(EVENT_MARKER)].map((match) => match[1]!) : []
}

export function severityLabel(severity: Severity): string {
  return `severity:${severity.toLowerCase()}`
}

function labelSeverity(labels: readonly string[]): Severity | undefined {
  let found: Severity | undefined
  for (const label of labels) {
    const match = /^severity:(critical|high|medium|low|info)$/i.exec(label)
    if (!match) continue
    const severity = match[1]!.toUpperCase() as Severity
    if (!found || severityRank(severity) > severityRank(found)) found = severity
  }
  return found
}

/** Where the issues are written and what a run links to. */
export interface IssueContext {
  label: string
  /** Link to the workflow run, when there is one (the CLI has none). */
  runUrl?: string
  reopenClosed: boolean
}

export interface RenderedIssue {
  title: string
  labels: string[]
  /** The issue body, then any further comments needed to record every event (rarely any). */
  body: string
  more: string[]
}

/** Plain text for a title: GitHub does not render titles as Markdown, but they are capped. */
function titleText(value: string, max: number): string {
  const text = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim()
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

export function issueTitle(keyId: string, severity: Severity): string {
  return titleText(`[${severity}] OpenAI API key ${titleText(keyId, 120)} has elevated scopes`, TITLE_LIMIT)
}

function eventRow(finding: Finding): string[] {
  return [severityCell(finding.severity), ...eventCells(finding), code(finding.eventId, 80)]
}

const EVENT_HEADERS = ['Severity', ...EVENT_COLUMNS, 'Event id']

function deletionLine(deletion: Deletion): string {
  return `- ${code('api_key.deleted')} at ${isoTime(deletion.effectiveAt)} by ${inert(deletion.actor.name, 120)} from ${sourceOf(deletion.actor)} (event ${code(deletion.eventId, 80)})`
}

/** A few items of a list, the rest counted: log text must not grow a body without bound. */
function few<T>(items: readonly T[], render: (item: T) => string, separator: string, max = 5): string {
  if (items.length === 0) return '-'
  const shown = items.slice(0, max).map(render).join(separator)
  return items.length > max ? `${shown} and ${items.length - max} more` : shown
}

function deletedSection(deletions: readonly Deletion[]): string {
  const lines = deletions.slice(0, 20).map(deletionLine)
  if (deletions.length > 20) lines.push(`- …and ${deletions.length - 20} more deletion events`)
  return `### The key was deleted (remediated)\n\n${lines.join('\n')}`
}

function runLine(context: IssueContext): string {
  return context.runUrl ? `Found by [this workflow run](${context.runUrl}).` : 'Found by the openai-keywatch CLI.'
}

function contextValue(value: unknown): string {
  if (value === null || value === undefined) return '-'
  if (Array.isArray(value)) return value.map((item) => code(item, 40)).join(' ') || '-'
  return inert(value, 300)
}

function alertContextSection(finding: Finding): string {
  return [
    `### Alert context (event ${code(finding.eventId, 80)})`,
    Object.entries(finding.alertContext)
      .map(([name, value]) => `- ${code(name)}: ${contextValue(value)}`)
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

function runbookSection(): string {
  return ['### Runbook', RULE.runbook.map((step) => `- [ ] ${step}`).join('\n')].join('\n\n')
}

/**
 * Lays out one body: `head`, as many event rows as fit (the rest counted), `tail`, and
 * the markers of every event. Markers that do not fit go to further bodies, so that
 * every event is recorded and never reported twice.
 */
function compose(head: string, rows: string[][], tail: string, markers: string[]): string[] {
  const fixed = head.length + tail.length + 600
  const markerSize = (list: string[]): number => list.reduce((size, marker) => size + marker.length + 1, 0)
  // Markers that do not fit here are recorded in further comments; rows keep at least
  // half of the body, so the issue always shows events.
  const markerRoom = rows.length > 0 ? (BODY_BUDGET - fixed) / 2 : BODY_BUDGET - fixed
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
  if (kept.length < rows.length)
    parts.push(
      `…and ${rows.length - kept.length} more event${rows.length - kept.length === 1 ? '' : 's'} not shown (GitHub's size limit); every one is in the run's JSON report.`
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

/** What the issue for a key would be. Pure, so the CLI can show it without GitHub. */
export function renderIssue(key: KeyFindings, context: IssueContext): RenderedIssue {
  const top = key.findings[0]!
  const names = [...new Set(key.findings.map((finding) => finding.keyName).filter(Boolean))]
  const projects = [...new Set(key.findings.map((finding) => finding.projectId).filter(Boolean))]
  const elevated = [...new Set(key.findings.flatMap((finding) => finding.elevatedScopes))]
  const head = [
    keyMarker(key.keyId),
    `## ${SEVERITY_ICON[key.severity] ?? ''} ${key.severity}: OpenAI API key ${code(key.keyId, 80)} has elevated scopes`,
    `Rule **${RULE.displayName}** (${code(RULE.id)}) found ${key.findings.length} event${key.findings.length === 1 ? '' : 's'} on this key. ${runLine(context)}`,
    [
      `- Key: ${code(key.keyId, 80)}`,
      `- Name: ${few(names, (name) => inert(name, 120), ', ')}`,
      `- Project: ${few(projects, (project) => code(project, 80), ' ')}`,
      `- Elevated scopes: ${elevated.map((scope) => code(scope, 40)).join(' ') || '-'}`,
      `- Latest actor: ${inert(top.actor.name, 120)} from ${sourceOf(top.actor)}`
    ].join('\n'),
    '### Events'
  ].join('\n\n')
  const deleted = key.deletions.length > 0 ? deletedSection(key.deletions) : ''
  const tail = [deleted, alertContextSection(top), mitreSection(), runbookSection()].filter(Boolean).join('\n\n')
  const markers = [...key.findings.map((f) => f.eventId), ...key.deletions.map((d) => d.eventId)].map(eventMarker)
  const [body, ...more] = compose(head, key.findings.map(eventRow), tail, markers)
  return {
    title: issueTitle(key.keyId, key.severity),
    labels: [context.label, severityLabel(key.severity)],
    body: body!,
    more
  }
}

/** The comment for events an existing issue has not recorded yet (findings and/or deletions). */
export function renderUpdate(
  findings: readonly Finding[],
  deletions: readonly Deletion[],
  context: IssueContext
): string[] {
  const head: string[] = []
  if (findings.length > 0) {
    head.push(`### ${findings.length} new event${findings.length === 1 ? '' : 's'} on this key\n\n${runLine(context)}`)
  }
  const tail =
    deletions.length > 0 ? deletedSection(deletions) + (findings.length === 0 ? `\n\n${runLine(context)}` : '') : ''
  const markers = [...findings.map((f) => f.eventId), ...deletions.map((d) => d.eventId)].map(eventMarker)
  return compose(head.join('\n\n'), findings.map(eventRow), tail, markers).map((body) => body.replace(/^\n+/, ''))
}

/** An issue of ours as read from GitHub. */
export interface KnownIssue {
  number: number
  url: string
  state: 'open' | 'closed'
  labels: string[]
  /** Events (as markerId) recorded in the body and, once read, the action's comments. */
  recorded: Set<string>
}

/** Everything a run has to say about one key: its findings (if any) and its deletions. */
export interface KeyWork {
  keyId: string
  /** Undefined for a key that was only deleted in the window. */
  severity?: Severity
  findings: Finding[]
  deletions: Deletion[]
}

/** The keys a run has something to say about: findings first (as grouped), then keys only deleted. */
export function keysToTriage(keys: readonly KeyFindings[], deletions: readonly Deletion[]): KeyWork[] {
  const withFindings = new Set(keys.map((key) => key.keyId))
  const deletedOnly = new Map<string, Deletion[]>()
  for (const deletion of deletions) {
    if (withFindings.has(deletion.keyId)) continue
    const list = deletedOnly.get(deletion.keyId)
    if (list) list.push(deletion)
    else deletedOnly.set(deletion.keyId, [deletion])
  }
  return [
    ...keys.map((key) => ({ ...key })),
    ...[...deletedOnly.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([keyId, list]) => ({ keyId, findings: [], deletions: list }))
  ]
}

/** The ids a key's work would record. */
export function eventsOf(work: KeyWork): string[] {
  return [...work.findings.map((f) => f.eventId), ...work.deletions.map((d) => d.eventId)].map(markerId)
}

export type IssueStep =
  | { kind: 'create'; keyId: string; severity: Severity; issue: RenderedIssue; events: number }
  | {
      kind: 'update'
      keyId: string
      number: number
      url: string
      /** New state and labels for one PATCH, when either changes. */
      patch?: { state?: 'open'; labels?: string[] }
      comments: string[]
      changes: string[]
    }
  | { kind: 'unchanged'; keyId: string; number: number; url: string }
  | { kind: 'capped'; keyId: string; severity: Severity }
  | { kind: 'nothing'; keyId: string }

/**
 * What to do for one key, given its issue (if it has one). Running it again after it
 * was done gives `unchanged`: every event it writes about is recorded in a marker.
 */
export function planKey(work: KeyWork, issue: KnownIssue | undefined, context: IssueContext): IssueStep {
  if (!issue) {
    // A deletion alone never opens an issue.
    if (work.findings.length === 0 || !work.severity) return { kind: 'nothing', keyId: work.keyId }
    const key: KeyFindings = {
      keyId: work.keyId,
      severity: work.severity,
      findings: work.findings,
      deletions: work.deletions
    }
    return {
      kind: 'create',
      keyId: work.keyId,
      severity: work.severity,
      issue: renderIssue(key, context),
      events: work.findings.length
    }
  }
  const findings = work.findings.filter((finding) => !issue.recorded.has(markerId(finding.eventId)))
  const deletions = work.deletions.filter((deletion) => !issue.recorded.has(markerId(deletion.eventId)))
  const changes: string[] = []
  const patch: { state?: 'open'; labels?: string[] } = {}
  // A new finding reopens a closed issue; a deletion is the remediation and does not.
  if (issue.state === 'closed' && findings.length > 0 && context.reopenClosed) {
    patch.state = 'open'
    changes.push('reopened')
  }
  // Only events the issue has not recorded may raise the label: a person who lowered it
  // has triaged what is already there.
  const labelled = labelSeverity(issue.labels)
  const raised = findings.reduce<Severity | undefined>(
    (top, finding) => (!top || severityRank(finding.severity) > severityRank(top) ? finding.severity : top),
    undefined
  )
  if (raised && (!labelled || severityRank(raised) > severityRank(labelled))) {
    patch.labels = [...issue.labels.filter((label) => !/^severity:/i.test(label)), severityLabel(raised)]
    changes.push(`${labelled ? severityLabel(labelled) : 'no severity'} → ${severityLabel(raised)}`)
  }
  const comments = findings.length + deletions.length > 0 ? renderUpdate(findings, deletions, context) : []
  if (findings.length > 0) changes.unshift(`${findings.length} new event${findings.length === 1 ? '' : 's'}`)
  if (deletions.length > 0) changes.push('key deleted')
  if (comments.length === 0 && patch.state === undefined && patch.labels === undefined)
    return { kind: 'unchanged', keyId: work.keyId, number: issue.number, url: issue.url }
  return {
    kind: 'update',
    keyId: work.keyId,
    number: issue.number,
    url: issue.url,
    patch: patch.state || patch.labels ? patch : undefined,
    comments,
    changes
  }
}

/**
 * Plans every key: new issues up to `maxIssues` in the order given (highest severity
 * first), the rest capped. Keys without findings and without an issue need nothing.
 */
export function planIssues(
  work: readonly KeyWork[],
  issues: ReadonlyMap<string, KnownIssue>,
  context: IssueContext,
  maxIssues: number
): IssueStep[] {
  let created = 0
  return work.map((key) => {
    const issue = issues.get(markerId(key.keyId))
    // Past the cap, a key that would get a new issue is not even rendered: a backfill can have thousands.
    if (!issue && key.findings.length > 0 && key.severity && created >= maxIssues) {
      return { kind: 'capped', keyId: key.keyId, severity: key.severity }
    }
    const step = planKey(key, issue, context)
    if (step.kind === 'create') created++
    return step
  })
}

/** The record of a step for the report and the summary; `dryRun` says what would have been done. */
export function describeStep(step: IssueStep, dryRun: boolean): IssueAction | undefined {
  switch (step.kind) {
    case 'create':
      return {
        keyId: step.keyId,
        action: dryRun ? 'would-create' : 'created',
        detail: `${step.severity}, ${step.events} event${step.events === 1 ? '' : 's'}`
      }
    case 'update':
      return {
        keyId: step.keyId,
        action: dryRun
          ? step.comments.length > 0
            ? 'would-comment'
            : 'would-update'
          : step.comments.length > 0
            ? 'commented'
            : 'updated',
        issueNumber: step.number,
        url: step.url,
        detail: step.changes.join(', ')
      }
    case 'unchanged':
      return { keyId: step.keyId, action: 'unchanged', issueNumber: step.number, url: step.url }
    case 'capped':
      return { keyId: step.keyId, action: 'capped', detail: `${step.severity}: over max-issues` }
    case 'nothing':
      return undefined
  }
}
