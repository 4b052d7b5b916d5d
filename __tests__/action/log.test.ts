// The one way the action writes to the runner's log: every line, annotation, group and the
// failure redacted and on one line, so no audit-log or GitHub text can start a workflow command.
import { jest } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as core from '../../__fixtures__/core.js'

jest.unstable_mockModule('@actions/core', () => core)
const { RunnerLog } = await import('../../src/action/log.js')

const FORGED = 'key_x\n::add-mask::HIGH\r\n::notice::forged%0A\u2028::stop-commands::halt\u001b[2J'
const KEY = 'sk-admin-LOGabcdefghijklmnopqrstuvwxyz0123456789'

describe('RunnerLog', () => {
  it('puts every text on one line and scrubs the secrets, whatever it is written as', () => {
    const log = new RunnerLog(() => [KEY])
    log.info(`Issue for key ${FORGED} filed (${KEY.toUpperCase()})`)
    log.warning(FORGED)
    log.warning(FORGED, { title: `title ${FORGED}` })
    log.error(`${FORGED} Bearer%20${KEY}`, { title: FORGED })
    log.notice(FORGED)
    log.failed(FORGED)
    log.group(FORGED)
    const said = [
      ...core.info.mock.calls,
      ...core.warning.mock.calls,
      ...core.error.mock.calls,
      ...core.notice.mock.calls,
      ...core.setFailed.mock.calls,
      ...core.startGroup.mock.calls
    ]
    expect(said).toHaveLength(7)
    const texts = said.flatMap(([message, properties]) => [
      String(message),
      ...Object.values((properties ?? {}) as Record<string, unknown>).map(String)
    ])
    for (const text of texts) {
      expect(text).not.toMatch(/[\r\n\u2028\u2029\u001b]/)
      expect(text).not.toMatch(/^::/)
      expect(text.toLowerCase()).not.toContain(KEY.slice(9).toLowerCase())
    }
    expect(core.info).toHaveBeenCalledWith(
      'Issue for key key_x ::add-mask::HIGH ::notice::forged%0A ::stop-commands::halt [2J filed (***)'
    )
    expect(core.warning).toHaveBeenCalledWith('key_x ::add-mask::HIGH ::notice::forged%0A ::stop-commands::halt [2J')
    expect(core.error.mock.calls[0]![0]).toBe(
      'key_x ::add-mask::HIGH ::notice::forged%0A ::stop-commands::halt [2J Bearer%20***'
    )
  })

  it('is the only code in src/action (the only folder that imports @actions/core) that writes to the log', () => {
    const dir = 'src/action'
    const writers = /\bcore\.(info|notice|warning|error|debug|setFailed|startGroup|endGroup|group)\b/
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts') && name !== 'log.ts'))
      expect([file, writers.test(readFileSync(join(dir, file), 'utf8'))]).toEqual([file, false])
  })
})
