// Everything the action says in the runner's log goes through here: log lines, annotations,
// groups, notices and the failure. One sanitiser for all of them: the secrets redacted and
// every control character (line breaks above all) made a space. The runner reads a workflow
// command (::add-mask::, ::notice::, ::stop-commands::) only at the start of a line, so
// audit-log and GitHub text, however it was written, can never start one. The only code
// that writes to the log through @actions/core.
import * as core from '@actions/core'
import { oneLine, redact } from '../text.js'

export class RunnerLog {
  constructor(private readonly secrets: () => readonly string[] = () => []) {}

  /** `text` as the log may show it: redacted, on one line. */
  clean(text: string): string {
    return oneLine(redact(text, this.secrets()))
  }

  info(text: string): void {
    core.info(this.clean(text))
  }

  notice(text: string): void {
    core.notice(this.clean(text))
  }

  /** A warning annotation, with the properties given (a title). */
  warning(text: string, properties?: { title?: string }): void {
    if (properties === undefined) core.warning(this.clean(text))
    else core.warning(this.clean(text), this.properties(properties))
  }

  error(text: string, properties?: { title?: string }): void {
    if (properties === undefined) core.error(this.clean(text))
    else core.error(this.clean(text), this.properties(properties))
  }

  private properties({ title }: { title?: string }): { title?: string } {
    return title === undefined ? {} : { title: this.clean(title) }
  }

  failed(text: string): void {
    core.setFailed(this.clean(text))
  }

  group(title: string): void {
    core.startGroup(this.clean(title))
  }

  endGroup(): void {
    core.endGroup()
  }
}
