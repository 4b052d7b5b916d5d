// Who the action writes as on GitHub, for the stages that trust only what it wrote: GitHub
// Actions' bot with the workflow's token, an App's bot with an App's token (no person's
// login ends in [bot]), or, with a personal access token, the token's own user.
import type { GitHubClient } from './client.js'

/** The login the workflow's GITHUB_TOKEN writes as. */
export const ACTIONS_BOT = 'github-actions[bot]'

/** Whether `login` is a GitHub App's bot (GitHub Actions' own included). */
export function isAppBot(login: string | undefined): boolean {
  return login !== undefined && login.endsWith('[bot]')
}

/**
 * The user a personal access token acts as (GET /user), or undefined for an installation
 * token (GITHUB_TOKEN or an App's, which GitHub refuses there) and when it cannot be read.
 */
export async function tokenUser(client: GitHubClient): Promise<string | undefined> {
  try {
    const { data } = await client.rest.users.getAuthenticated()
    return typeof data.login === 'string' ? data.login : undefined
  } catch {
    return undefined
  }
}
