// What the settings do that a user may not expect, said once before anything is read: a
// fail-on that no finding can reach (the gate would never fail on a finding), and an input
// given that does nothing in the chosen mode. Warnings, not errors: a scheduled workflow
// whose fail-on outlives the setting that made it reachable keeps running and says so
// loudly (the summary, an annotation, the verdict); docs/triage.md says why.
import { failsAt, named, SEVERITY_ORDER, type Severity, type Voice } from '../model/index.js'
import type { InputName, Settings } from './settings.js'

/** The settings the rule's severities depend on. */
type Levels = Pick<Settings, 'elevatedScopes' | 'highScopes' | 'escalateSignals'>

/**
 * The severities a run can give with these settings, lowest first: HIGH for the high-scopes
 * (never empty), MEDIUM when some elevated scope is not a high one, CRITICAL when the
 * investigation may escalate (escalate-signals above 0). The one place that says which
 * levels exist: a stage that raises a finding's severity adds its level here.
 */
export function reachableSeverities(settings: Levels): Severity[] {
  const levels = new Set<Severity>(['HIGH'])
  if (settings.elevatedScopes.some((scope) => !settings.highScopes.includes(scope))) levels.add('MEDIUM')
  // The investigation raises a HIGH finding with escalate-signals signals to CRITICAL.
  if (settings.escalateSignals > 0) levels.add('CRITICAL')
  return SEVERITY_ORDER.filter((level) => levels.has(level))
}

/** Whether some finding these settings can give fails the run (fail-on none fails on none, as asked). */
export function failOnReachable(settings: Levels & Pick<Settings, 'failOn'>): boolean {
  return settings.failOn === 'none' || reachableSeverities(settings).some((level) => failsAt(level, settings.failOn))
}

/** "HIGH and MEDIUM", "HIGH". */
function levelsWords(levels: readonly Severity[]): string {
  const names = [...levels].reverse()
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? 'none')
}

function unreachableFailOn(settings: Settings): string | undefined {
  if (failOnReachable(settings)) return undefined
  const { voice } = settings
  const levels = reachableSeverities(settings)
  return (
    `${named(voice, 'fail-on')} is ${settings.failOn}, which no finding can reach: with these settings the rule ` +
    `gives ${levelsWords(levels)} findings only, so the run never fails on a finding. ` +
    `Use ${voice.set('fail-on', levels.at(-1)!.toLowerCase())} (or ${voice.set('fail-on', 'none')} to turn the gate off on purpose).`
  )
}

/** Inputs that do nothing in a mode: the mode, and why, in the caller's words. One row per mode. */
interface Inert {
  inputs: readonly InputName[]
  /** The mode the inputs do nothing in. */
  applies: (settings: Settings) => boolean
  /** Why, after "<input> has no effect: ". */
  because: (voice: Voice, settings: Settings) => string
}

/** Why no issue is read or written, in the caller's words. */
function noIssues(voice: Voice): string {
  return voice.input('create-issues') === undefined
    ? `without ${voice.repository}, no issue is read or written`
    : `${named(voice, 'create-issues')} is false, so no issue is read or written`
}

// A stage with inputs of its own adds its rows here.
const INERT: readonly Inert[] = [
  {
    inputs: ['lookback'],
    applies: (settings) => Boolean(settings.auditLogFile),
    because: (voice) =>
      `${named(voice, 'audit-log-file')} is set, and an export is scanned whole unless ` +
      `${named(voice, 'since')} or ${named(voice, 'until')} is set`
  },
  {
    inputs: ['openai-base-url', 'enrich-keys'],
    applies: (settings) => Boolean(settings.auditLogFile),
    because: (voice) =>
      `${named(voice, 'audit-log-file')} is set, so the export is scanned and the Admin API is asked nothing (no key is looked up)`
  },
  {
    inputs: ['max-issues', 'assignees', 'reopen-closed', 'close-when-revoked'],
    applies: (settings) => !settings.createIssues,
    because: noIssues
  },
  {
    // The coverage ledger's status issue is kept with create-issues false: these still apply to it.
    inputs: ['repository', 'label', 'dry-run', 'github-budget'],
    applies: (settings) => !settings.createIssues && (!settings.ledger || Boolean(settings.auditLogFile)),
    because: (voice, settings) =>
      voice.input('create-issues') === undefined
        ? `without ${voice.repository}, no issue or coverage ledger is read or written`
        : `${noIssues(voice)}, and no coverage ledger is kept (${
            settings.auditLogFile ? `${named(voice, 'audit-log-file')} is set` : `${named(voice, 'ledger')} is false`
          })`
  },
  {
    inputs: ['ledger', 'max-catch-up'],
    applies: (settings) => Boolean(settings.auditLogFile),
    because: (voice) =>
      `${named(voice, 'audit-log-file')} is set, and an export neither reads nor adds to the coverage ledger: it is not the organization's live log`
  }
]

/**
 * The warnings of these settings, in the caller's words: an unreachable fail-on, then each
 * input given (`given`: set by the user, not defaulted) that does nothing in this mode, once.
 */
export function settingsWarnings(settings: Settings, given: (input: InputName) => boolean): string[] {
  const warnings: string[] = []
  const gate = unreachableFailOn(settings)
  if (gate) warnings.push(gate)
  const said = new Set<InputName>()
  for (const row of INERT) {
    if (!row.applies(settings)) continue
    for (const input of row.inputs) {
      const name = settings.voice.input(input)
      if (name === undefined || said.has(input) || !given(input)) continue
      said.add(input)
      warnings.push(`${name} has no effect: ${row.because(settings.voice, settings)}.`)
    }
  }
  return warnings
}
