// An export's history: the file read again, the lines that mention the identities parsed
// (logins too), the rest counted unread; an event whose actor is null is nobody's.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportHistory, readActivity } from '../../src/audit-log/history.js'
import { FileSource } from '../../src/audit-log/file-source.js'
import { created, login } from '../support/events.js'
import { tempDir } from '../support/temp.js'

describe('exportHistory', () => {
  it('hands on the events that mention the identity, logins included, and the key events', async () => {
    const file = join(tempDir('keywatch-history-'), 'export.jsonl')
    const mine = { ...login('audit_log-l1'), type: 'login.failed' }
    const theirs = JSON.parse(JSON.stringify(login('audit_log-l2')).replaceAll('user-dev001', 'user-other'))
    const key = created({ id: 'audit_log-k1', key: 'key_1', scopes: ['all'] })
    writeFileSync(file, [mine, theirs, key].map((event) => JSON.stringify(event)).join('\n') + '\n')
    const seen: string[] = []
    const read = await exportHistory(new FileSource(file, { mentioning: ['user-dev001'] }), (event) => {
      seen.push(`${event.id} ${event.type} ${event.actor.userId}`)
      return true
    })
    expect(seen).toEqual(['audit_log-l1 login.failed user-dev001', 'audit_log-k1 api_key.created user-dev001'])
    expect(read.events.map((event) => event.id)).toEqual(['audit_log-l1', 'audit_log-k1'])
    expect(read.read).toMatchObject({ status: 'read', logins: true, source: `file ${file}` })
  })
})

describe('readActivity', () => {
  it('reads any event with its actor; a null actor is an unknown one', () => {
    expect(readActivity({ id: 'a', type: 'login.failed', effective_at: 1, actor: null })).toMatchObject({
      id: 'a',
      type: 'login.failed',
      actor: { type: 'unknown' }
    })
    expect(readActivity({ type: 'login.failed' })).toBeUndefined()
  })
})
