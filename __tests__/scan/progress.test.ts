// Progress lines while a long scan runs, in one group that opens only when needed.
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
    let clock = 0
    const { lines, log, nextLine } = recorder()
    const progress = trackProgress('OpenAI Admin API (x)', log, 5, () => (clock += 2500))
    progress.tell({ events: 1234, pages: 3, bytes: 0 })
    await nextLine()
    await nextLine()
    progress.stop()
    expect(lines).toEqual([
      'group: Reading audit logs from OpenAI Admin API (x)',
      '1,234 events read, 3 pages, 3 s elapsed',
      '1,234 events read, 3 pages, 5 s elapsed',
      'Done: 1,234 events read, 3 pages, 8 s elapsed',
      'end'
    ])
  })

  it('says nothing for a scan shorter than one interval', () => {
    const { lines, log } = recorder()
    const progress = trackProgress('file x', log, 60_000)
    progress.tell({ events: 5, pages: 0, bytes: 0 })
    progress.stop()
    expect(lines).toEqual([])
  })
})
