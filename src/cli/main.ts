// openai-keywatch on the command line: the action's pipeline for local scans and
// backfills, the demo on the bundled sample, the rule spec's test runner, and revoking one
// key from a terminal.
// The package's own version, bundled in at build time (ncc inlines the JSON).
import packageJson from '../../package.json' with { type: 'json' }
import { cliColor, cliSecrets } from '../settings/cli.js'
import { errorMessage, oneLine } from '../text.js'
import { EXIT, HELP, UsageError } from './args.js'
import { demoCommand, scanCommand, testCommand, type Input, type Out } from './commands.js'
import { revokeCommand } from './revoke.js'
import { painter } from './text.js'

export { EXIT }

export async function main(
  argv: string[],
  out: Out = (line: string) => console.log(line),
  err: Out = (line: string) => console.error(line),
  options: { color?: boolean; stdin?: Input['stdin'] } = {}
): Promise<number> {
  const [command, ...args] = argv
  const secrets = cliSecrets(process.env)
  const paint = painter(options.color ?? cliColor(process.env, process.stdout.isTTY === true))
  try {
    switch (command) {
      case 'test':
        return await testCommand(args, out)
      case 'scan':
        return await scanCommand(args, out, err, paint, { stdin: options.stdin ?? process.stdin })
      case 'demo':
        return await demoCommand(args, out, err, paint)
      case '--version':
      case '-V':
      case 'version':
        out(`openai-keywatch ${packageJson.version}`)
        return EXIT.clean
      case 'revoke':
        return await revokeCommand(args, out, err, { stdin: options.stdin ?? process.stdin })
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        ;(command === undefined ? err : out)(HELP.main)
        return command === undefined ? EXIT.usage : EXIT.clean
      default:
        throw new UsageError(`Unknown command "${command}": use scan, demo, test or revoke (openai-keywatch --help).`)
    }
  } catch (error) {
    // A usage error, an unreadable spec or a window that could not be read: never "clean".
    err(`openai-keywatch: ${oneLine(errorMessage(error, secrets))}`)
    return EXIT.usage
  }
}
