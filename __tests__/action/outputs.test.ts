// The list outputs (keys, issues): at most 100 items and 16 KiB of JSON, in order.
import { boundedList, OUTPUT_LIST } from '../../src/action/outputs.js'

describe('boundedList', () => {
  it('keeps a short list whole', () => {
    expect(boundedList(['key_1', 'key_2'])).toEqual({ json: '["key_1","key_2"]', left: 0 })
    expect(boundedList([])).toEqual({ json: '[]', left: 0 })
  })

  it('keeps the first 100 items of a long one and counts the rest', () => {
    const issues = Array.from({ length: 2500 }, (_, i) => i + 1)
    const { json, left } = boundedList(issues)
    expect(JSON.parse(json)).toEqual(issues.slice(0, OUTPUT_LIST.items))
    expect(left).toBe(2400)
  })

  it('keeps its JSON within 16 KiB however long the ids are', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `key_${i}_${'x'.repeat(1000)}`)
    const { json, left } = boundedList(keys)
    expect(json.length).toBeLessThanOrEqual(OUTPUT_LIST.chars)
    expect(JSON.parse(json)).toEqual(keys.slice(0, 50 - left))
    expect(left).toBe(34)
    // One id longer than the bound: none listed, all counted.
    expect(boundedList(['k'.repeat(20_000), 'key_2'])).toEqual({ json: '[]', left: 2 })
  })
})
