// The Report for a terminal: plain text, with colours only when asked for (the CLI asks
// when stdout is a terminal and NO_COLOR is unset). Text copied from an audit log is
// attacker-controlled: control characters (ANSI escapes among them) and bidi overrides
// are removed so it cannot rewrite the screen.
import { styleText } from 'node:util'
import { findingsTally, type Finding, type KeyFindings, type KeyInfo, type Severity } from '../model/index.js'
import type { Report } from '../report/report.js'
import {
  cut,
  escalationWords,
  evidenceWords,
  isoTime,
  lastUseWords,
  oneLine,
  ownerWords,
  plural,
  scopesShown,
  span,
  type Medium
} from '../text.js'

type Style = Parameters<typeof styleText>[0]

export interface Paint {
  (style: Style, text: string): string
}

export function painter(color: boolean): Paint {
  return (style, text) => (color ? styleText(style, text, { validateStream: false }) : text)
}

/** Untrusted text for a terminal: on one line, without control characters, at most `max` characters. */
export function terminalText(value: unknown, max = 200): string {
  if (value === undefined || value === null || value === '') return '-'
  return cut(oneLine(String(value)), max)
}

/** A terminal as a medium: prose and ids alike as plain text. */
const TERMINAL: Medium = { text: terminalText, id: terminalText }

const SEVERITY_STYLE: Record<Severity, Style> = {
  CRITICAL: ['bold', 'red'],
  HIGH: ['bold', 'red'],
  MEDIUM: 'yellow',
  LOW: 'cyan',
  INFO: 'dim'
}

function time(seconds: number | undefined): string {
  return seconds === undefined ? 'time unknown' : isoTime(seconds, true)
}

/** Wraps words to `width` columns, each line after the first indented by `indent`. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines.join(`\n${indent}`)
}

function findingLine(finding: Finding, paint: Paint): string[] {
  const { actor } = finding
  const verb = finding.eventType.split('.').pop()
  const place = [actor.city, actor.country].filter(Boolean).map((part) => terminalText(part, 60))
  const from = actor.ip ? `from ${terminalText(actor.ip, 60)}${place.length ? ` (${place.join(', ')})` : ''}` : ''
  return [
    `${paint('dim', time(finding.effectiveAt))}  ${verb} with [${scopesShown(finding)
      .map((s) => terminalText(s, 60))
      .join(', ')}]` + `  ${paint('dim', `event ${terminalText(finding.eventId, 80)}`)}`,
    `  by ${terminalText(actor.name, 120)}${from ? `  ${from}` : ''}${actor.userAgent ? `  ${paint('dim', terminalText(actor.userAgent, 80))}` : ''}`
  ]
}

/** What the Admin API said about the key, on one line. */
function infoLine(info: KeyInfo, paint: Paint): string {
  if (info.status === 'not-found')
    return paint(
      ['bold', 'red'],
      `not found${info.projectId ? ` in ${terminalText(info.projectId, 80)}` : ''} (the Admin API answers 404)`
    )
  if (info.status === 'not-looked-up') return paint('dim', `not looked up: ${terminalText(info.reason, 300)}`)
  const who = ownerWords(info.owner, TERMINAL) ?? 'owner not said'
  const lastUse = lastUseWords(info, 'ago')
  const used = info.lastUsedAt === null ? lastUse : lastUse === undefined ? 'last use not said' : `last used ${lastUse}`
  return `owned by ${who}, named ${terminalText(info.name, 80)} (${terminalText(info.redactedValue, 40)}), ${used}`
}

/** The investigation of a key: the escalation, the identity and its history, each signal, the use. */
function investigationLines(key: KeyFindings, paint: Paint): string[] {
  const investigation = key.investigation
  if (!investigation) return []
  const { identity, history, escalation, usage } = investigation
  const lines: string[] = []
  if (escalation) lines.push(paint(['bold', 'red'], escalationWords(escalation)))
  const read =
    history.status === 'read'
      ? `history: ${plural(history.events, 'event')} from ${terminalText(history.source, 120)}`
      : `history not read: ${terminalText(history.reason, 200)}`
  lines.push(`identity ${terminalText(identity.name, 120)} (${paint('dim', read)})`)
  for (const signal of investigation.signals) {
    const line = `${signal.counts ? 'signal: ' : ''}${signal.label}: ${evidenceWords(signal.evidence, TERMINAL)}`
    lines.push(signal.counts ? paint('yellow', line) : paint('dim', line))
  }
  if (investigation.otherKeys.length > 0)
    lines.push(
      `other keys of this identity: ${investigation.otherKeys
        .slice(0, 10)
        .map(
          (other) =>
            `${terminalText(other.keyId, 80)}${other.severity ? ` ${other.severity}` : ''}${other.state === 'deleted' ? ' (deleted)' : ''}`
        )
        .join(', ')}${investigation.otherKeys.length > 10 ? ` and ${investigation.otherKeys.length - 10} more` : ''}`
    )
  if (usage?.status === 'read')
    lines.push(
      `use: ${plural(usage.requests, 'request')}, ${plural(usage.inputTokens + usage.outputTokens, 'token')}${usage.cost ? `, ${usage.cost.value.toFixed(2)} ${terminalText(usage.cost.currency.toUpperCase(), 10)}` : ''} since ${isoTime(usage.since, true)}`
    )
  else if (usage) lines.push(paint('dim', `use not read: ${terminalText(usage.reason, 300)}`))
  return lines
}

function keyBlock(key: KeyFindings, paint: Paint): string[] {
  const severity = paint(SEVERITY_STYLE[key.severity], key.severity.padEnd(6))
  const count = plural(key.findings.length, 'finding')
  const lines = [`  ${severity}  ${paint('bold', terminalText(key.keyId, 80))}  ${paint('dim', count)}`]
  if (key.info) lines.push(`          ${infoLine(key.info, paint)}`)
  lines.push(...investigationLines(key, paint).map((line) => `          ${line}`))
  for (const finding of key.findings) for (const line of findingLine(finding, paint)) lines.push(`          ${line}`)
  for (const deletion of key.deletions) {
    lines.push(
      `          ${paint('dim', time(deletion.effectiveAt))}  ${paint('bold', 'deleted')}  by ${terminalText(deletion.actor.name, 120)}`
    )
  }
  return lines
}

/** The coverage ledger's part of the run (with --repo), on one line; nothing when it is off. */
function ledgerText(report: Report): string | undefined {
  const note = report.ledger
  if (!note || note.off) return undefined
  const read = note.unread
    ? `could not be read (${terminalText(note.unread, 300)}): read the lookback only`
    : note.caughtUp > 0
      ? `caught up ${span(note.caughtUp)} missed since the last complete run`
      : 'nothing missed before this window'
  const issue = note.issue ? `status issue #${note.issue.number}: ` : ''
  return `${read}; ${issue}${note.written === 'not-written' ? 'not written' : note.written}`
}

/** The run in words: what was read, the findings by key, what was skipped, the verdict. */
export function renderText(report: Report, paint: Paint = painter(false), options = { verdict: true }): string {
  const lines: string[] = []
  const window =
    report.window.since === null && report.window.until === null
      ? 'the whole file'
      : `${report.window.since ?? 'the start'} to ${report.window.until ?? 'the end'}`
  const field = (name: string, value: string): void => {
    lines.push(`  ${paint('dim', name.padEnd(16))} ${value}`)
  }
  lines.push(`${paint('bold', report.rule.name)} ${paint('dim', `(rule ${report.rule.id})`)}`, '')
  field('Source', terminalText(report.source, 300))
  field('Window', window)
  const ledger = ledgerText(report)
  if (ledger) field('Coverage ledger', ledger)
  for (const part of report.ledger?.beyond ?? [])
    lines.push(
      `  ${paint('yellow', 'warning:')} not read, beyond max-catch-up: ${time(part.start)} to ${time(part.end)}; backfill it with --since and --until`
    )
  field(
    'Read completely',
    report.complete
      ? report.notRead.length
        ? paint(['bold', 'yellow'], 'yes, but not every key event type (see the warnings)')
        : 'yes'
      : paint(['bold', 'red'], `NO: ${report.missing.map((part) => terminalText(part, 300)).join('; ')}`)
  )
  for (const part of report.notRead) lines.push(`  ${paint('yellow', 'warning:')} ${terminalText(part, 800)}`)
  field(
    'Events scanned',
    `${report.eventsScanned} (API key events: ${report.keyEvents}${report.duplicates ? `, duplicates skipped: ${report.duplicates}` : ''})`
  )
  field('Findings', `${findingsTally(report.counts)} on ${plural(report.keys.length, 'key')}`)
  const run = report.investigations
  if (report.keys.length > 0)
    field(
      'History',
      run.off
        ? `not read (${terminalText(run.off, 200)})`
        : `read for ${run.read} of ${plural(run.identities, 'identity', 'identities')}${run.source ? ` from ${terminalText(run.source, 200)}` : ''}${run.leftOut.length ? `, ${run.leftOut.length} left out` : ''}`
    )
  if (report.otherProjects)
    field('Other projects', `${report.otherProjects} key events outside --project-ids, not judged`)
  if (report.unreadable.count) field('Unreadable', `${report.unreadable.count} records skipped`)
  if (report.malformed.count) {
    const keys = report.malformed.keyEvents ? ` (${report.malformed.keyEvents} of them API key events)` : ''
    field('Malformed', `${report.malformed.count} events skipped${keys}`)
  }

  if (report.keys.length > 0) {
    lines.push('', paint('bold', 'Findings by key'))
    for (const key of report.keys) lines.push(...keyBlock(key, paint))
  } else lines.push('', 'No findings.')

  for (const note of [...report.keyLookups.notes, ...report.investigations.notes])
    lines.push(`  ${paint('yellow', 'note:')} ${terminalText(note, 600)}`)

  if (report.suppressed.length > 0) {
    const count = report.suppressed.reduce((sum, key) => sum + key.findings.length, 0)
    lines.push('', paint('bold', `Suppressed by allow-actors: ${count} (not counted for the gate)`))
    for (const key of report.suppressed) lines.push(...keyBlock(key, paint))
  }

  if (report.issues.length > 0) {
    const mode =
      report.issueMode === 'dry-run' ? 'dry run: read, nothing written; --write writes them' : 'written on GitHub'
    lines.push('', paint('bold', `Issues (${mode})`))
    lines.push(...issueLines(report.issues))
  }

  const notes = [...report.unreadable.listed, ...report.malformed.listed]
  if (notes.length > 0) {
    lines.push('', paint('bold', 'Skipped records'))
    for (const note of notes.slice(0, 20))
      lines.push(`  ${terminalText(note.where, 80)}: ${terminalText(note.reason, 200)}`)
    if (notes.length > 20) lines.push(`  …and ${notes.length - 20} more (see --json).`)
  }

  if (options.verdict) lines.push('', verdict(report, paint))
  return lines.join('\n')
}

/**
 * One line per key's issue, with its detail; a detail that several keys failed for (GitHub
 * refused the token, the phase's budget ran out) is said once, after them.
 */
function issueLines(issues: Report['issues']): string[] {
  const count = new Map<string, number>()
  for (const { action, detail } of issues) {
    if (detail && (action === 'failed' || action === 'not-noted')) count.set(detail, (count.get(detail) ?? 0) + 1)
  }
  const shared = [...count.entries()].filter(([, n]) => n > 1).map(([detail]) => detail)
  const lines = issues.map((issue) => {
    const where = issue.url ? `  ${terminalText(issue.url, 200)}` : ''
    const detail = issue.detail && !shared.includes(issue.detail) ? `  (${terminalText(issue.detail, 300)})` : ''
    return `  ${issue.action.padEnd(13)} ${terminalText(issue.keyId, 80)}${where}${detail}`
  })
  for (const detail of shared) lines.push(`  ${count.get(detail)} keys above: ${terminalText(detail, 800)}`)
  return lines
}

export function verdict(report: Report, paint: Paint): string {
  return report.gate.failed
    ? `${paint(['bold', 'red'], 'FAIL')}  ${report.gate.reason}`
    : report.gate.blind
      ? `${paint(['bold', 'yellow'], 'PASS')}  ${report.gate.reason}`
      : `${paint(['bold', 'green'], 'PASS')}  ${report.gate.reason}`
}

/** What the demo shows of an issue the action would open: its title, labels and runbook checklist. */
export interface IssuePreview {
  title: string
  labels: readonly string[]
  checklist: readonly string[]
}

/** The issues a dry run would file, one block per key, with the runbook as a checklist. */
export function renderIssuePreviews(previews: readonly IssuePreview[], paint: Paint, width = 100): string {
  const lines: string[] = []
  previews.forEach((preview, index) => {
    const number = `${index + 1}.`.padEnd(4)
    lines.push(`  ${number}${paint('bold', terminalText(preview.title, 250))}`)
    lines.push(`      ${paint('dim', 'labels:')} ${preview.labels.map((label) => terminalText(label, 50)).join(', ')}`)
    for (const step of preview.checklist) lines.push(`      [ ] ${wrap(step, width - 10, '          ')}`)
  })
  return lines.join('\n')
}
