// A GitHub repository as the inputs, the runner and the CLI name it: owner/name.

export interface Repository {
  owner: string
  repo: string
}

/** owner/name, in the letters, digits, -, _ and . GitHub allows. */
const REPOSITORY = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/

/** The owner and name of `value`, or undefined when it is not owner/name. */
export function repositoryOf(value: string): Repository | undefined {
  const match = REPOSITORY.exec(value)
  return match ? { owner: match[1]!, repo: match[2]! } : undefined
}
