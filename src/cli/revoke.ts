// openai-keywatch revoke: a key revoked from a terminal, for incident response. The key's
// place comes from OpenAI (its own events, or the project --project names, confirmed by
// OpenAI holding the key there), never from a guess; it asks before it acts (--yes skips the
// question, and without a terminal to ask in, --yes is needed); --dry-run only says.
import { createInterface } from 'node:readline/promises'
import { deleteHeldKey, placeKey, type HeldKey } from '../pipeline.js'
import type { InputName, Settings } from '../settings/settings.js'
import { EXIT, HELP, parse, UsageError } from './args.js'
import { scanLog, settingsFrom, type Input, type Out } from './commands.js'
import { terminalText } from './text.js'

function settingsOf(baseUrl: string | undefined): Settings {
  if (!(process.env.OPENAI_ADMIN_KEY ?? '').trim()) {
    throw new UsageError(
      'OPENAI_ADMIN_KEY is not set: export an OpenAI Admin API key (sk-admin-...) that may delete API keys ' +
        '(the openai SDK: "Requires permission to write project API keys"), kept apart from the read-only scan key.'
    )
  }
  const inputs = new Map<InputName, string>([['create-issues', 'false']])
  if (baseUrl !== undefined) inputs.set('openai-base-url', baseUrl)
  return settingsFrom(inputs)
}

/** The key as OpenAI described it, in lines for the terminal (names are whoever made the key's words). */
function keyLines(key: HeldKey): string[] {
  const owner =
    key.owner.type === 'service_account'
      ? `service account ${terminalText(key.owner.name ?? '-', 80)}${key.owner.id ? ` (${terminalText(key.owner.id, 80)})` : ''}`
      : key.owner.type === 'user'
        ? `user ${terminalText(key.owner.email ?? key.owner.name ?? key.owner.id ?? '-', 120)}`
        : 'unknown'
  return [
    `${key.kind === 'admin' ? 'Admin API key' : 'Project API key'} ${key.keyId}${key.kind === 'project' ? ` in project ${key.projectId}` : ''}`,
    `  name: ${terminalText(key.name ?? '-', 120)}${key.redactedValue ? `  (${terminalText(key.redactedValue, 40)})` : ''}`,
    `  owner: ${owner}`,
    `  where: ${terminalText(key.how, 300)}`
  ]
}

/** Asks on the terminal; only "y" or "yes" goes on. */
async function confirmed(question: string, input: Input, err: Out): Promise<boolean> {
  err(question)
  const lines = createInterface({ input: input.stdin, terminal: false })
  try {
    const answer = await lines.question('')
    return /^\s*y(es)?\s*$/i.test(answer)
  } catch {
    return false
  } finally {
    lines.close()
  }
}

const SERVICE_ACCOUNT_NOTE =
  'This key belonged to a service account. Rotation is not revocation: the service account and its other keys ' +
  'remain (the openai SDK: "Deleting a service-account key does not delete the service account or its other keys."). ' +
  "Review its other keys on the project's API keys page, and delete the service account if it may be compromised."

export async function revokeCommand(args: string[], out: Out, err: Out, input: Input): Promise<number> {
  const { values } = parse('revoke', args, {
    key: { type: 'string' },
    project: { type: 'string' },
    yes: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'base-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  })
  if (values.help) {
    out(HELP.revoke)
    return EXIT.clean
  }
  const keyId = values.key?.trim()
  if (!keyId)
    throw new UsageError('revoke needs --key ID: the id of the key to revoke (key_...), as its issue names it.')
  const projectId = values.project?.trim()
  if (values.project !== undefined && !projectId)
    throw new UsageError('Option --project is empty: give the id of the project the key is in, or leave it out.')
  const settings = settingsOf(values['base-url'])
  const { warn } = scanLog(err)
  const place = await placeKey(settings, keyId, projectId, warn)
  if (place.status === 'unknown') {
    err(
      `openai-keywatch: not revoked: OpenAI did not confirm where key ${keyId} is: ${terminalText(place.reason, 600)}.`
    )
    if (!projectId)
      err('Give its project with --project PROJECT_ID; it is checked with OpenAI before anything is done.')
    return EXIT.findings
  }
  if (place.status === 'gone') {
    out(`Key ${keyId} is already gone: ${terminalText(place.evidence, 600)}. Nothing revoked.`)
    return EXIT.clean
  }
  for (const line of keyLines(place.key)) out(line)
  if (values['dry-run']) {
    out('Dry run: this key would be revoked; nothing was deleted.')
    return EXIT.clean
  }
  if (!values.yes) {
    if (!input.stdin.isTTY) {
      throw new UsageError(
        'revoke asks before it deletes a key, and standard input is not a terminal: run it in one, or pass --yes.'
      )
    }
    if (!(await confirmed(`Revoke key ${keyId}? It cannot be undone. [y/N]`, input, err))) {
      err('Not revoked: the answer was not yes.')
      return EXIT.findings
    }
  }
  const answer = await deleteHeldKey(settings, place.key, warn)
  if (answer.status !== 'deleted') {
    err(`openai-keywatch: not revoked: the Admin API answered ${terminalText(answer.answer, 600)}.`)
    if (answer.status === 'refused')
      err(
        place.key.kind === 'admin'
          ? 'The admin key lacks the permission to delete admin API keys.'
          : 'The admin key lacks the permission to delete this key ("Requires permission to write project API keys").'
      )
    if (answer.status === 'service-account')
      err(
        "OpenAI refused to delete a service account's key, as its API reference says it does; delete the service account from the project instead."
      )
    return EXIT.findings
  }
  out(`Revoked: OpenAI answered ${answer.answer}.`)
  if (place.key.owner.type === 'service_account') out(SERVICE_ACCOUNT_NOTE)
  return EXIT.clean
}
