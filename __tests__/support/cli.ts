// The CLI in process: main(argv) with its output and errors collected, as a terminal shows them.
import { main } from '../../src/cli/main.js'

export interface CliRun {
  code: number
  out: string
  err: string
}

export async function runCli(argv: string[], options: Parameters<typeof main>[3] = {}): Promise<CliRun> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(
    argv,
    (line) => out.push(line),
    (line) => err.push(line),
    options
  )
  return { code, out: out.join('\n'), err: err.join('\n') }
}
