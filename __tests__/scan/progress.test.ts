// Progress lines while a long scan runs, in one group that opens only when needed.
import { newStatus, type AuditLogSource } from '../../src/audit-log/source.js'
import { trackProgress } from '../../src/scan/progress.js'

function recorder() {
  const lines: string[] = []
  let wake: (() => void) | undefined
  const log = {
    group: (title: string) => lines.push(`group: ${title}`),
    line: (text: string) => {
      lines.push(text)
      wake?.()
    },
    endGroup: () => lines.push('end')
  }
  const nextLine = () => new Promise<void>((resolve) => (wake = resolve))
  return { lines, log, nextLine }
}

describe('trackProgress', () => {
  it('logs events read, pages and elapsed time in one group, then a closing line', async () => {
    const source: AuditLogSource = { label: 'OpenAI Admin API (x)', status: newStatus(), events: async function* () {} }
    source.status.pages = 3
    source.status.prefiltered = 1000
    let clock = 0
    const { lines, log, nextLine } = recorder()
    const stop = trackProgress(
      source,
      () => 234,
      log,
      5,
      () => (clock += 2500)
    )
    await nextLine()
    await nextLine()
    stop()
    expect(lines).toEqual([
      'group: Reading audit logs from OpenAI Admin API (x)',
      '1,234 events read, 3 pages, 3 s elapsed',
      '1,234 events read, 3 pages, 5 s elapsed',
      'Done: 1,234 events read, 3 pages, 8 s elapsed',
      'end'
    ])
  })

  it('says nothing for a scan shorter than one interval', () => {
    const source: AuditLogSource = { label: 'file x', status: newStatus(), events: async function* () {} }
    const { lines, log } = recorder()
    trackProgress(source, () => 5, log, 60_000)()
    expect(lines).toEqual([])
  })
})
