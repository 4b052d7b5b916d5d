// The JSON report.
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { gate } from '../../src/report/gate.js'
import { buildReport } from '../../src/report/report.js'
import { reportLines, writeReport } from '../../src/report/write.js'
import { groupByKey } from '../../src/scan/by-key.js'
import { created, deleted, scanned, updated } from '../support/events.js'
import { tempDir } from '../support/temp.js'

describe('the JSON report', () => {
  it('is written key by key, byte for byte what JSON.stringify gives, deletions with their keys', async () => {
    const events = [
      created({ id: 'audit_log-1', key: 'key-a', scopes: ['all'] }),
      updated({ id: 'audit_log-2', key: 'key-a', scopes: ['models:write'], email: 'x"\n</script>@evil' }),
      created({ id: 'audit_log-3', key: 'key-b', scopes: ['models:write'] }),
      deleted({ id: 'audit_log-4', key: 'key-a' }),
      deleted({ id: 'audit_log-5', key: 'key-gone' }),
      created({ id: 'audit_log-6', key: 'key-c', scopes: ['admin'], email: 'ops@company.com' })
    ]
    const result = await scanned(events, ['ops@company.com'])
    const report = buildReport({
      source: 'memory',
      window: { since: 1_789_000_000 },
      result,
      keys: groupByKey(result.findings, result.deletions),
      suppressed: groupByKey(result.suppressed),
      failOn: 'high',
      gate: gate({ severities: result.severities, failOn: 'high', complete: true, missing: [] })
    })
    expect(report.keys.map((key) => [key.keyId, [...key.deletions].map((d) => d.eventId)])).toEqual([
      ['key-a', ['audit_log-4']],
      ['key-b', []]
    ])
    expect(report.suppressed).toHaveLength(1)
    const dir = tempDir('keywatch-report-')
    const path = join(dir, 'report.json')
    await writeReport(path, report)
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(report, null, 2)}\n`)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect([...reportLines(report)].join('\n')).toBe(JSON.stringify(report, null, 2))
  })

  /** The report of a run that found nothing. */
  async function tiny(): Promise<ReturnType<typeof buildReport>> {
    const result = await scanned([])
    return buildReport({
      source: 'memory',
      window: {},
      result,
      keys: [],
      suppressed: [],
      failOn: 'high',
      gate: { failed: false, reason: 'Passed.' }
    })
  }

  it('never follows a link planted at its path: the link is replaced, what it points to untouched', async () => {
    const dir = tempDir('keywatch-report-')
    const target = join(dir, 'target')
    writeFileSync(target, 'not yours\n')
    const path = join(dir, 'report.json')
    symlinkSync(target, path)
    await writeReport(path, await tiny())
    expect(readFileSync(target, 'utf8')).toBe('not yours\n')
    expect(lstatSync(path).isSymbolicLink()).toBe(false)
    expect(lstatSync(path).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path, 'utf8')).gate.reason).toBe('Passed.')
    // A link to where nothing is yet: nothing is created there.
    const dangling = join(dir, 'dangling.json')
    symlinkSync(join(dir, 'nothing-here'), dangling)
    await writeReport(dangling, await tiny())
    expect(readdirSync(dir).sort()).toEqual(['dangling.json', 'report.json', 'target'])
  })

  it('replaces a report that is there, owner-only whatever its mode was, and leaves no temporary file', async () => {
    const dir = tempDir('keywatch-report-')
    const path = join(dir, 'report.json')
    writeFileSync(path, 'old report, longer than the new one '.repeat(100))
    chmodSync(path, 0o666)
    const report = await tiny()
    await writeReport(path, report)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(report, null, 2)}\n`)
    expect(readdirSync(dir)).toEqual(['report.json'])
  })

  it('fails without leaving a temporary file when the path cannot be replaced', async () => {
    const dir = tempDir('keywatch-report-')
    mkdirSync(join(dir, 'report.json'))
    writeFileSync(join(dir, 'report.json', 'inside'), 'x')
    await expect(writeReport(join(dir, 'report.json'), await tiny())).rejects.toThrow()
    expect(readdirSync(dir)).toEqual(['report.json'])
  })
})
