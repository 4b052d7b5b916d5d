// The investigations in the job summary: each key's verdict (severity, why, signals, use),
// and the findings grouped by identity, each table within its share of the summary.
import type { Investigation, KeyFindings, KeyUsage } from '../model/index.js'
import { MARKDOWN, markdownCode, markdownText, severityCell, table } from '../markdown/markdown.js'
import { escalationWords, evidenceWords, plural } from '../text.js'
import type { Report } from './report.js'

/** The head's line on the histories, when there are keys. */
export function investigationLine(report: Report): string {
  const { investigations: run } = report
  if (report.keys.length === 0) return ''
  if (run.off) return `- Identities' history: not read (${markdownText(run.off, 200)})`
  const left = run.leftOut.length > 0 ? `, ${run.leftOut.length} left out (see below)` : ''
  const from = run.source ? ` from ${markdownText(run.source, 200)}` : ''
  return `- Identities' history: read for ${run.read} of ${plural(run.identities, 'identity', 'identities')}${from}${left}`
}

/** A key's use in a few words: "12 requests, 3,400 tokens, 0.42 usd since 2026-11-30". */
export function usageWords(usage: KeyUsage | undefined): string {
  if (!usage) return '-'
  if (usage.status === 'not-read') return 'not read'
  const tokens = usage.inputTokens + usage.outputTokens
  const cost = usage.cost ? `, ${usage.cost.value.toFixed(2)} ${usage.cost.currency.toUpperCase()}` : ''
  return `${plural(usage.requests, 'request')}, ${plural(tokens, 'token')}${cost} since ${new Date(usage.since * 1000).toISOString().slice(0, 10)}`
}

/** The signals that count, one per line of a cell; the others counted. */
function signalCell(investigation: Investigation): string {
  const counting = investigation.signals.filter((signal) => signal.counts)
  const unjudged = investigation.signals.length - counting.length
  const lines = counting.map((signal) => `**${signal.label}**: ${evidenceWords(signal.evidence, MARKDOWN)}`)
  if (unjudged > 0) lines.push(`${unjudged} not judged`)
  return lines.join('<br>') || 'none'
}

function severityWords(key: KeyFindings): string {
  const escalation = key.investigation?.escalation
  return escalation
    ? `${severityCell(key.severity)} (${markdownText(escalationWords(escalation), 300)})`
    : severityCell(key.severity)
}

/** Each key's verdict: its severity and why, its identity, its signals, its use (`linkOf`: its issue's link, if any). */
export function signalsSection(
  report: Report,
  linkOf: (keyId: string) => string | undefined,
  budget: number
): string[] {
  const keys = report.keys.filter((key) => key.investigation)
  if (keys.length === 0) return []
  const parts = ['### Signals']
  const notes = report.investigations.notes
  if (notes.length > 0)
    parts.push(['> [!WARNING]', ...notes.map((note) => `> - ${markdownText(note, 600)}`)].join('\n'))
  const rows: string[][] = []
  let size = 0
  for (const key of keys) {
    const investigation = key.investigation!
    const row = [
      markdownCode(key.keyId, 80),
      linkOf(key.keyId) ?? '-',
      severityWords(key),
      markdownCode(investigation.identity.name, 120),
      signalCell(investigation),
      usageWords(investigation.usage)
    ]
    size += row.join(' | ').length + 6
    if (size > budget) break
    rows.push(row)
  }
  parts.push(table(['Key', 'Issue', 'Severity', 'Identity', 'Signals', 'Use'], rows))
  if (rows.length < keys.length)
    parts.push(`…and ${plural(keys.length - rows.length, 'more key')}; every one is in the JSON report.`)
  return parts
}

/** The findings grouped by identity: its keys, the worst, the signals that counted. */
export function identitiesSection(report: Report, budget: number): string[] {
  const groups = new Map<string, { name: string; keys: KeyFindings[] }>()
  for (const key of report.keys) {
    const identity = key.investigation?.identity
    if (!identity) continue
    const group = groups.get(identity.key) ?? { name: identity.name, keys: [] }
    group.keys.push(key)
    groups.set(identity.key, group)
  }
  if (groups.size === 0) return []
  const rows: string[][] = []
  let size = 0
  for (const group of groups.values()) {
    const labels = new Set(
      group.keys.flatMap((key) => key.investigation!.signals.filter((s) => s.counts).map((s) => s.label))
    )
    const row = [
      markdownCode(group.name, 120),
      severityCell(group.keys[0]!.severity),
      group.keys
        .map((key) => markdownCode(key.keyId, 80))
        .slice(0, 10)
        .join(' ') + (group.keys.length > 10 ? ` and ${group.keys.length - 10} more` : ''),
      [...labels].join(', ') || 'none'
    ]
    size += row.join(' | ').length + 6
    if (size > budget) break
    rows.push(row)
  }
  const parts = ['### By identity', table(['Identity', 'Worst', 'Keys', 'Signals'], rows)]
  if (rows.length < groups.size)
    parts.push(
      `…and ${plural(groups.size - rows.length, 'more identity', 'more identities')}; every one is in the JSON report.`
    )
  return parts
}
