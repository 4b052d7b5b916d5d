// A line that does not parse still counts as a possible API key event when it holds a JSON
// escape: "api\u005fkey.created" spells the type without the letters "api_key".
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FileSource } from '../../src/audit-log/file-source.js'
import { drain } from '../support/events.js'
import { otherEvent } from '../support/fake-openai.js'
import { tempDir } from '../support/temp.js'

const dir = tempDir('keywatch-escapes-')

async function read(content: string) {
  const path = join(dir, `audit-${Math.random().toString(36).slice(2)}.jsonl`)
  writeFileSync(path, content)
  return (await drain(new FileSource(path, {}))).status
}

const others = `${JSON.stringify(otherEvent(1, 1_790_000_000))}\n`

describe('escaped key events in an export', () => {
  it('a line that does not parse, with a \\u escape but no "api_key", may be a key event: the window is incomplete', async () => {
    const broken =
      '{"id":"audit_log-1","type":"api\\u005fkey.created","effective_at":1790000000,"api\\u005fkey_created":{"id":"k",'
    expect(broken).not.toContain('api_key')
    const status = await read(`${others}${broken}\n${others}`)
    expect(status.complete).toBe(false)
    expect(status.unreadable.map((entry) => entry.where)).toEqual(['line 2'])
    expect(status.unreadable[0]!.reason).toMatch(/, and it may be an API key event$/)
    expect(status.missing[0]).toContain('1 record that may be API key events could not be read (line 2;')
  })

  it('a line that does not parse with neither is only unreadable', async () => {
    const status = await read(`${others}{"id":"audit_log-2","type":"login.succeeded",\n${others}`)
    expect(status.complete).toBe(true)
    expect(status.unreadable.map((entry) => entry.where)).toEqual(['line 2'])
  })
})
