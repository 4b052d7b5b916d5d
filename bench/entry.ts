// What the benchmark times: the file source and the rule, as the action runs them.
import { FileSource } from '../src/audit-log/file-source.js'
import { DEFAULT_RULE_OPTIONS } from '../src/rules/api-key-anomalous-activity.js'
import { scan } from '../src/scan/engine.js'

export async function scanFile(path: string) {
  const source = new FileSource(path)
  const result = await scan(source, { rule: DEFAULT_RULE_OPTIONS, window: {}, allowActors: [] })
  return {
    events: result.eventsScanned,
    keyEvents: result.keyEvents,
    findings: result.findings.length,
    prefiltered: result.source.prefiltered,
    unreadable: result.source.unreadableCount
  }
}
