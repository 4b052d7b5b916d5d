// The severity vocabulary: the order, fail-on, the labels and the findings line.
import { failsAt, findingsTally, higher, labelledSeverity, relabelled, severityLabel } from '../../src/model/index.js'

const counts = { total: 0, critical: 0, high: 0, medium: 0, low: 0, info: 0 }

describe('the severity vocabulary', () => {
  it('names HIGH and MEDIUM always, and every other level that occurs, highest first', () => {
    expect(findingsTally({ ...counts, total: 8, high: 5, medium: 3 })).toBe('8 (HIGH 5, MEDIUM 3)')
    expect(findingsTally(counts)).toBe('0 (HIGH 0, MEDIUM 0)')
    expect(findingsTally({ ...counts, total: 4, critical: 1, medium: 1, low: 1, info: 1 })).toBe(
      '4 (CRITICAL 1, HIGH 0, MEDIUM 1, LOW 1, INFO 1)'
    )
    expect(findingsTally({ ...counts, total: 2, critical: 2 }, 'findings')).toBe(
      '2 findings (CRITICAL 2, HIGH 0, MEDIUM 0)'
    )
  })

  it('reads and writes the severity labels, the highest winning in any case', () => {
    expect(severityLabel('CRITICAL')).toBe('severity:critical')
    expect(labelledSeverity(['bug', 'severity:medium', 'Severity:HIGH', 'severity:urgent'])).toBe('HIGH')
    expect(labelledSeverity(['openai-keywatch'])).toBeUndefined()
    // Raising a label drops every severity label, of a level known or not, and keeps the rest in order.
    expect(relabelled(['openai-keywatch', 'Severity:MEDIUM', 'team', 'severity:urgent'], 'HIGH')).toEqual([
      'openai-keywatch',
      'team',
      'severity:high'
    ])
    expect(higher(undefined, 'LOW')).toBe('LOW')
    expect(higher('HIGH', 'MEDIUM')).toBe('HIGH')
  })

  it('fails a run at or above fail-on, never under none', () => {
    expect(failsAt('HIGH', 'high')).toBe(true)
    expect(failsAt('MEDIUM', 'high')).toBe(false)
    expect(failsAt('CRITICAL', 'none')).toBe(false)
  })
})
