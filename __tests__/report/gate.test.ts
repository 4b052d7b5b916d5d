// The run's verdict.
import { failsAt } from '../../src/model/index.js'
import { gate } from '../../src/report/gate.js'

describe('the gate', () => {
  it('maps every fail-on level to its severities: critical fails on CRITICAL only', () => {
    const none = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 }
    expect(
      gate({ severities: { ...none, HIGH: 3, MEDIUM: 2 }, failOn: 'critical', complete: true, missing: [] })
    ).toEqual({ failed: false, reason: 'Passed: no finding at or above fail-on (critical).' })
    expect(gate({ severities: { ...none, CRITICAL: 1 }, failOn: 'critical', complete: true, missing: [] })).toEqual({
      failed: true,
      reason: '1 finding at or above fail-on (critical).'
    })
    const levels = ['info', 'low', 'medium', 'high', 'critical'] as const
    const severities = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const
    for (const [l, failOn] of levels.entries())
      for (const [s, severity] of severities.entries())
        expect([failOn, severity, failsAt(severity, failOn)]).toEqual([failOn, severity, s >= l])
    for (const severity of severities) expect(failsAt(severity, 'none')).toBe(false)
  })

  it('fails on issue failures, even with fail-on none, and says why', () => {
    const none = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 }
    expect(gate({ severities: none, failOn: 'none', complete: true, missing: [], issueFailures: 2 })).toEqual({
      failed: true,
      reason: 'The GitHub issue of 2 keys could not be written (see the job summary).'
    })
    expect(
      gate({ severities: { ...none, HIGH: 1 }, failOn: 'high', complete: false, missing: ['page 3'], issueFailures: 1 })
        .reason
    ).toMatch(
      /^The audit-log window was not read completely \(1 part not read, named above\).*The GitHub issue of 1 key could not be written/
    )
    expect(gate({ severities: { ...none, MEDIUM: 1 }, failOn: 'high', complete: true, missing: [] }).failed).toBe(false)
  })
})
