import { readFileSync } from 'node:fs'
import { load } from 'js-yaml'
import { readEvent } from '../../src/audit-log/normalize.js'
import { DEFAULT_RULE_OPTIONS, findingOf, RULE, tacticName } from '../../src/rules/api-key-anomalous-activity.js'
import { alertOf } from '../../src/spec/panther.js'
import { parseSpec, runSpec, runTest, type Spec } from '../../src/spec/spec.js'

// Panther's aspects of the alert, each read from the one finding production makes.
type Options = Parameters<typeof alertOf>[1]
const rule = (raw: unknown, options?: Options) => alertOf(raw, options) !== undefined
const severity = (raw: unknown, options?: Options) => alertOf(raw, options)?.severity
const title = (raw: unknown, options?: Options) => alertOf(raw, options)?.title
const dedup = (raw: unknown, options?: Options) => alertOf(raw, options)?.dedup
const alertContext = (raw: unknown, options?: Options) => alertOf(raw, options)?.alertContext

const SPEC_PATH = 'rules/openai_api_key_anomalous_activity.yml'
const spec: Spec = parseSpec(readFileSync(SPEC_PATH, 'utf8'), SPEC_PATH)

describe('the rule spec, as data', () => {
  it.each(spec.Tests.map((test) => [test.Name, test] as const))('%s', (_name, test) => {
    const outcome = runTest(test)
    expect(outcome.failures).toEqual([])
    expect(outcome.passed).toBe(true)
  })

  it("holds the seed's 8 tests unchanged, first", () => {
    expect(spec.Tests.length).toBeGreaterThan(8)
    expect(spec.Tests.slice(0, 8).map((test) => test.ExpectedResult)).toEqual([
      false,
      true,
      true,
      false,
      true,
      true,
      false,
      false
    ])
  })

  it('carries the same metadata as the rule', () => {
    expect(spec.RuleID).toBe(RULE.id)
    expect(spec.DisplayName).toBe(RULE.displayName)
    expect(spec.Description).toBe(RULE.description)
    expect(spec.Severity?.toUpperCase()).toBe(RULE.defaultSeverity)
    expect(spec.DedupPeriodMinutes).toBe(RULE.dedupPeriodMinutes)
    expect(spec.Runbook).toBe(RULE.runbook.map((step, index) => `${index + 1}. ${step}`).join('\n') + '\n')
    expect(spec.Reports?.['MITRE ATT&CK']).toEqual(RULE.mitre.map((m) => `${m.tactic}:${m.technique}`))
  })
})

describe('the spec runner', () => {
  const seedHigh = spec.Tests[1]!

  it('fails a test whose expectation is wrong', () => {
    const wrong = { ...seedHigh, ExpectedResult: false }
    const outcome = runTest(wrong)
    expect(outcome.passed).toBe(false)
    expect(outcome.failures).toEqual(['expected result false, the rule returned true'])
  })

  it('fails a wrong severity, title, dedup or alert context', () => {
    const outcome = runTest({
      ...seedHigh,
      ExpectedSeverity: 'MEDIUM',
      ExpectedTitle: 'something else',
      ExpectedDedup: 'x',
      ExpectedAlertContext: { source_ip: '10.0.0.1' }
    })
    expect(outcome.passed).toBe(false)
    expect(outcome.failures).toHaveLength(4)
  })

  it('reports every test of a spec', () => {
    const outcomes = runSpec(spec)
    expect(outcomes).toHaveLength(spec.Tests.length)
    expect(outcomes.every((outcome) => outcome.passed)).toBe(true)
  })

  it('refuses a spec without tests or with a test lacking ExpectedResult', () => {
    expect(() => parseSpec('RuleID: x\nTests: []\n', 'empty.yml')).toThrow('empty.yml has no Tests.')
    expect(() => parseSpec('RuleID: x\nTests:\n  - Name: a\n    Log: {}\n', 'bad.yml')).toThrow(
      'bad.yml: test 1 ("a") needs ExpectedResult: true or false.'
    )
    expect(() => parseSpec('RuleID: [', 'broken.yml')).toThrow(/broken.yml is not valid YAML/)
  })
})

describe('the rule functions', () => {
  const created = (scopes: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: 'audit_log-x',
    type: 'api_key.created',
    effective_at: 1702857600,
    'api_key.created': { id: 'key_x', data: { scopes } },
    ...extra
  })

  it('reads the API shape: dotted keys and changes_requested on updates', () => {
    const update = {
      id: 'audit_log-u',
      type: 'api_key.updated',
      'api_key.updated': { id: 'key_u', changes_requested: { scopes: ['models:read', 'ADMIN'] } }
    }
    expect(rule(update)).toBe(true)
    expect(severity(update)).toBe('HIGH')
    expect(dedup(update)).toBe('openai-api-key:key_u')
  })

  it('is MEDIUM for elevated scopes that are not all or admin', () => {
    expect(severity(created(['models:write']))).toBe('MEDIUM')
    expect(severity(created(['Organization:Write', 'api_keys:write']))).toBe('MEDIUM')
  })

  it('ignores null, empty and non-string scopes, and does not throw on malformed lists', () => {
    expect(rule(created([null, '', 42, { all: true }, 'models:read']))).toBe(false)
    expect(rule(created([null, 'all']))).toBe(true)
    expect(rule(created('all'))).toBe(false)
    // No scopes recorded is OpenAI's "All permissions" key: HIGH, not silence.
    expect(rule(created(null))).toBe(true)
    expect(rule(created([null, '']))).toBe(false)
    expect(rule({})).toBe(false)
    expect(rule(null)).toBe(false)
    expect(rule('api_key.created')).toBe(false)
  })

  it('judges an event with no actor by its scopes, the actor unknown', () => {
    const event = created(['all'])
    expect(rule(event)).toBe(true)
    expect(title(event)).toBe('OpenAI API key key_x created with elevated scopes [all] by unknown actor')
  })

  it('names service-account actors instead of <UNKNOWN_USER>', () => {
    const event = created(['admin'], {
      actor: { type: 'api_key', api_key: { id: 'key_sa', type: 'service_account', service_account: { id: 'svc_1' } } }
    })
    expect(title(event)).toContain('by service account svc_1 via API key key_sa')
    expect(alertContext(event)).toMatchObject({ actor_type: 'api_key', actor_id: 'svc_1', actor_api_key_id: 'key_sa' })
  })

  it('takes configurable scope lists', () => {
    const options = { elevatedScopes: ['api.model.request'], highScopes: ['api.model.request'] }
    const event = created(['api.model.request'])
    expect(rule(event)).toBe(false)
    expect(rule(event, options)).toBe(true)
    expect(severity(event, options)).toBe('HIGH')
    expect(DEFAULT_RULE_OPTIONS.elevatedScopes).toContain('all')
  })

  it('matches a wildcard scope pattern as a whole: api.*.write is not api.x.writeable', () => {
    const options = { elevatedScopes: ['api.*.write'], highScopes: ['all'] }
    expect(rule(created(['api.files.write']), options)).toBe(true)
    expect(rule(created(['API.Organization.Projects.Write']), options)).toBe(true)
    expect(rule(created(['api.x.writeable']), options)).toBe(false)
    expect(rule(created(['xapi.files.write']), options)).toBe(false)
    expect(rule(created(['api.files.write.read']), options)).toBe(false)
  })

  it("takes the finding's elevated scopes from the rule's verdict, not the event's scopes", () => {
    const finding = (scopes: unknown, options = DEFAULT_RULE_OPTIONS) => {
      const reading = readEvent(created(scopes))
      return reading.kind === 'key' ? findingOf(reading.event, options) : undefined
    }
    expect(finding(['all', 'models:read', 'api.model.request'])).toMatchObject({
      scopes: ['all', 'models:read', 'api.model.request'],
      elevatedScopes: ['all']
    })
    // A key with no scopes recorded has them all: its event lists none.
    expect(finding([])).toMatchObject({ scopes: [], elevatedScopes: ['all (unrestricted: no scopes recorded)'] })
    expect(finding(['api.fine_tuning.jobs.write', 'api.files.read'])?.elevatedScopes).toEqual([
      'api.fine_tuning.jobs.write'
    ])
  })

  it('matches scope patterns with several *, and a long scope from the log in linear time', () => {
    const options = { elevatedScopes: ['api.*.files.*.write'], highScopes: [] }
    expect(rule(created(['api.org.files.x.write']), options)).toBe(true)
    expect(rule(created(['api.files.write']), options)).toBe(false)
    expect(rule(created(['api.files.x.write.read']), options)).toBe(false)
    // As a regular expression (^api\..*\.files\..*\.write$) this backtracks for minutes,
    // far past the test's timeout, which is its only bound.
    const hostile = `api.${'.files.'.repeat(200_000)}`
    expect(rule(created([hostile]), options)).toBe(false)
  })

  it('names the MITRE tactics', () => {
    expect(RULE.mitre.map((m) => tacticName(m.tactic))).toEqual([
      'Initial Access',
      'Persistence',
      'Stealth',
      'Command and Control'
    ])
  })
})

// The YAML and load() agree on the seed's shape (guards the hand-rebuilt indentation).
test('the seed events keep their fields', () => {
  const raw = load(readFileSync(SPEC_PATH, 'utf8')) as Spec
  const log = raw.Tests[5]!.Log as { actor: { session: { ja4: string } } }
  expect(log.actor.session.ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1')
})
