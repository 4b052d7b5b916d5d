// A fake GitHub REST API on 127.0.0.1, enough of it for one issue per key: issues
// (list with labels/state filters and Link-header pagination, create, get, update),
// labels (add, remove), comments (list with pagination, create), open/closed state and
// state_reason, assignees, a collaborator's permission, the token's user (GET /user, refused
// to a bot's installation token), and injected failures such as
// secondary rate limits. It serves
// one repository (owner/name), as a token limited to it would. It counts every request and
// every write, so tests can say "no request at all" and "no write".
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'

export interface FakeUser {
  login: string
  type: 'User' | 'Bot'
}

export interface FakeIssue {
  number: number
  title: string
  body: string
  state: 'open' | 'closed'
  /** GitHub's state_reason: completed, not_planned or reopened; null for an issue never closed. */
  stateReason?: string | null
  labels: string[]
  assignees?: string[]
  user: FakeUser
  pullRequest?: boolean
}

export interface FakeComment {
  id: number
  issue: number
  body: string
  user: FakeUser
  /** GitHub's author_association: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE... */
  association?: string
}

export interface FakeRequest {
  method: string
  path: string
  query: URLSearchParams
}

/** An injected answer: the next `times` requests matching `method` and `path` get it. */
export interface Failure {
  method?: string
  path?: RegExp
  status: number
  retryAfter?: number
  message?: string
  times: number
}

/**
 * A GitHub that is there but does not answer: `hang` never answers; `drip` sends its headers,
 * then one byte of a JSON body every `everyMs` and never finishes. Matching requests, `times` of them.
 */
export interface Stall {
  method?: string
  path?: RegExp
  mode: 'hang' | 'drip'
  everyMs?: number
  times: number
}

export const BOT: FakeUser = { login: 'github-actions[bot]', type: 'Bot' }

export class FakeGitHub {
  readonly token: string
  readonly owner: string
  readonly repo: string
  issues: FakeIssue[] = []
  comments: FakeComment[] = []
  labels = new Set<string>()
  requests: FakeRequest[] = []
  /** The identity the token acts as. */
  actor: FakeUser = BOT
  /** Users who may be assigned issues in the repository. */
  assignable = new Set<string>(['alice', 'bob'])
  /**
   * The permission the repository grants each user (admin, write, read, none), as
   * GET /repos/{owner}/{repo}/collaborators/{username}/permission says; others have
   * `otherPermission` (read, as on a public repository). GitHub's `permission` shows maintain
   * as write and triage as read (role_name has the role); `unknown` is a user GitHub does
   * not know as a collaborator: 404.
   */
  permissions = new Map<string, 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none' | 'unknown'>()
  otherPermission: 'read' | 'none' = 'read'
  /** Items per page at most, whatever per_page asks: small values exercise pagination. */
  pageSize = 100
  private failures: Failure[] = []
  private stalls: Stall[] = []
  private timers = new Set<NodeJS.Timeout>()
  private server: Server
  private nextComment = 1000
  private readonly scheme: 'http' | 'https'
  url = ''

  constructor(options: { token?: string; repository?: string; tls?: { key: string; cert: string } } = {}) {
    this.token = options.token ?? 'ghs_faketoken0123456789'
    const [owner, repo] = (options.repository ?? 'acme/security').split('/')
    this.owner = owner!
    this.repo = repo!
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        try {
          this.handle(req, res, body)
        } catch (error) {
          this.send(res, 500, { message: String(error) })
        }
      })
    }
    this.scheme = options.tls ? 'https' : 'http'
    this.server = options.tls ? createHttpsServer(options.tls, handler) : createServer(handler)
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `${this.scheme}://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** Answers the next matching requests with an error instead. */
  fail(failure: Partial<Failure> & { status: number }): void {
    this.failures.push({ times: 1, ...failure })
  }

  /** Leaves the next matching requests without a (whole) answer. */
  stall(stall: Partial<Stall> & { mode: Stall['mode'] }): void {
    this.stalls.push({ times: 1, ...stall })
  }

  get writes(): FakeRequest[] {
    return this.requests.filter((request) => request.method !== 'GET' && request.method !== 'HEAD')
  }

  reset(): void {
    this.requests = []
    this.failures = []
    this.stalls = []
  }

  /** Adds an issue as if someone (by default the action) had opened it. */
  addIssue(issue: Partial<FakeIssue> & { body: string }): FakeIssue {
    const created: FakeIssue = {
      number: this.issues.length + 1,
      title: 'An issue',
      state: 'open',
      labels: [],
      user: this.actor,
      ...issue
    }
    for (const label of created.labels) this.labels.add(label)
    this.issues.push(created)
    return created
  }

  addComment(issue: number, body: string, user: FakeUser = this.actor, association = 'NONE'): FakeComment {
    const comment = { id: this.nextComment++, issue, body, user, association }
    this.comments.push(comment)
    return comment
  }

  commentsOf(issue: number): FakeComment[] {
    return this.comments.filter((comment) => comment.issue === issue)
  }

  private send(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    res.end(status === 204 ? undefined : JSON.stringify(data))
  }

  private issueJson(issue: FakeIssue): unknown {
    return {
      id: 100000 + issue.number,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      state_reason: issue.stateReason ?? null,
      labels: issue.labels.map((name, index) => ({ id: index + 1, name })),
      assignees: (issue.assignees ?? []).map((login) => ({ login, type: 'User' })),
      user: issue.user,
      html_url: `https://github.com/${this.owner}/${this.repo}/${issue.pullRequest ? 'pull' : 'issues'}/${issue.number}`,
      url: `${this.url}/repos/${this.owner}/${this.repo}/issues/${issue.number}`,
      ...(issue.pullRequest ? { pull_request: { url: `${this.url}/pulls/${issue.number}` } } : {})
    }
  }

  private commentJson(comment: FakeComment): unknown {
    return {
      id: comment.id,
      body: comment.body,
      user: comment.user,
      author_association: comment.association ?? 'NONE',
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${comment.issue}#issuecomment-${comment.id}`
    }
  }

  /** One page of `items` with the Link header GitHub sends. */
  private page(res: ServerResponse, url: URL, items: unknown[]): void {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30) || 30, this.pageSize, 100)
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const link = (n: number, rel: string): string => {
      const next = new URL(url.toString())
      next.searchParams.set('page', String(n))
      next.searchParams.set('per_page', String(perPage))
      return `<${this.url}${next.pathname}${next.search}>; rel="${rel}"`
    }
    const links = []
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'))
    this.send(
      res,
      200,
      items.slice((page - 1) * perPage, page * perPage),
      links.length ? { link: links.join(', ') } : {}
    )
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', this.url)
    const method = req.method ?? 'GET'
    this.requests.push({ method, path: url.pathname, query: url.searchParams })

    if (req.headers.authorization !== `token ${this.token}`) {
      this.send(res, 401, { message: 'Bad credentials' })
      return
    }
    const stall = this.stalls.find(
      (f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(url.pathname))
    )
    if (stall) {
      stall.times--
      if (stall.mode === 'hang') return
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
      const body = '[                                                                '
      let sent = 0
      const timer = setInterval(() => res.write(body[sent++ % body.length]!), stall.everyMs ?? 50)
      this.timers.add(timer)
      res.on('close', () => {
        clearInterval(timer)
        this.timers.delete(timer)
      })
      return
    }
    let match: RegExpExecArray | null
    const failure = this.failures.find(
      (f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(url.pathname))
    )
    if (failure) {
      failure.times--
      this.send(
        res,
        failure.status,
        { message: failure.message ?? 'You have exceeded a secondary rate limit. Please wait a few minutes.' },
        failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {}
      )
      return
    }
    if (
      (match = new RegExp(`^/repos/${this.owner}/${this.repo}/collaborators/([^/]+)/permission$`).exec(url.pathname))
    ) {
      if (method !== 'GET') return this.send(res, 404, { message: 'Not Found' })
      const login = decodeURIComponent(match[1]!)
      const role = this.permissions.get(login) ?? this.otherPermission
      if (role === 'unknown') return this.send(res, 404, { message: 'Not Found' })
      // GitHub's permission field says write for maintain and read for triage; role_name has the role.
      const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role
      return this.send(res, 200, { permission, role_name: role, user: { login, type: 'User' } })
    }
    if (url.pathname === '/user' && method === 'GET') {
      // An installation token (GITHUB_TOKEN, an App's) has no user: GitHub refuses it.
      if (this.actor.type === 'Bot') return this.send(res, 403, { message: 'Resource not accessible by integration' })
      return this.send(res, 200, { login: this.actor.login, type: this.actor.type })
    }
    if (url.pathname.startsWith('/search/')) {
      // The action must never find its issues through search: it lags behind writes.
      this.send(res, 410, { message: 'The fake GitHub does not serve the search API.' })
      return
    }
    const base = `/repos/${this.owner}/${this.repo}/issues`
    const data = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}

    if (url.pathname === base && method === 'GET') {
      const state = url.searchParams.get('state') ?? 'open'
      const wanted = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean)
      const items = this.issues
        .filter((issue) => state === 'all' || issue.state === state)
        .filter((issue) => wanted.every((label) => issue.labels.includes(label)))
        // GitHub lists newest first by default.
        .sort((a, b) => b.number - a.number)
        .map((issue) => this.issueJson(issue))
      this.page(res, url, items)
      return
    }
    if (url.pathname === base && method === 'POST') {
      if (typeof data.title !== 'string' || data.title === '') {
        this.send(res, 422, { message: 'Validation Failed', errors: [{ field: 'title', code: 'missing_field' }] })
        return
      }
      if (typeof data.body === 'string' && data.body.length > 65536) {
        this.send(res, 422, { message: 'Validation Failed: body is too long (maximum is 65536 characters)' })
        return
      }
      const labels = Array.isArray(data.labels) ? (data.labels as string[]) : []
      const assignees = Array.isArray(data.assignees) ? (data.assignees as string[]) : []
      // GitHub refuses a user who cannot be assigned in the repository.
      const unknown = assignees.find((login) => !this.assignable.has(login))
      if (unknown !== undefined) {
        this.send(res, 422, {
          message: 'Validation Failed',
          errors: [{ value: unknown, resource: 'Issue', field: 'assignees', code: 'invalid' }]
        })
        return
      }
      const issue = this.addIssue({ title: data.title, body: String(data.body ?? ''), labels, assignees })
      this.send(res, 201, this.issueJson(issue))
      return
    }
    if ((match = new RegExp(`^${base}/(\\d+)$`).exec(url.pathname))) {
      const issue = this.issues.find((i) => i.number === Number(match![1]))
      if (!issue) return this.send(res, 404, { message: 'Not Found' })
      if (method === 'GET') return this.send(res, 200, this.issueJson(issue))
      if (method === 'PATCH') {
        if (
          data.state_reason !== undefined &&
          !['completed', 'not_planned', 'reopened', null].includes(data.state_reason as string)
        ) {
          return this.send(res, 422, { message: 'Validation Failed: state_reason is not valid' })
        }
        if (data.state === 'open' || data.state === 'closed') {
          if (data.state !== issue.state) issue.stateReason = data.state === 'open' ? 'reopened' : 'completed'
          issue.state = data.state
        }
        if (typeof data.state_reason === 'string') issue.stateReason = data.state_reason
        if (Array.isArray(data.labels)) {
          issue.labels = [...new Set(data.labels as string[])]
          for (const label of issue.labels) this.labels.add(label)
        }
        if (typeof data.title === 'string') issue.title = data.title
        if (typeof data.body === 'string') issue.body = data.body
        return this.send(res, 200, this.issueJson(issue))
      }
    }
    if ((match = new RegExp(`^${base}/(\\d+)/labels(?:/([^/]+))?$`).exec(url.pathname))) {
      const issue = this.issues.find((i) => i.number === Number(match![1]))
      if (!issue) return this.send(res, 404, { message: 'Not Found' })
      if (method === 'POST' && !match[2]) {
        for (const label of (data.labels as string[]) ?? []) {
          if (!issue.labels.includes(label)) issue.labels.push(label)
          this.labels.add(label)
        }
        return this.send(
          res,
          200,
          issue.labels.map((name) => ({ name }))
        )
      }
      if (method === 'DELETE' && match[2]) {
        const name = decodeURIComponent(match[2])
        if (!issue.labels.includes(name)) return this.send(res, 404, { message: 'Label does not exist' })
        issue.labels = issue.labels.filter((label) => label !== name)
        return this.send(
          res,
          200,
          issue.labels.map((label) => ({ name: label }))
        )
      }
    }
    if ((match = new RegExp(`^${base}/(\\d+)/comments$`).exec(url.pathname))) {
      const number = Number(match[1])
      if (!this.issues.some((i) => i.number === number)) return this.send(res, 404, { message: 'Not Found' })
      if (method === 'GET') {
        return this.page(
          res,
          url,
          this.commentsOf(number).map((comment) => this.commentJson(comment))
        )
      }
      if (method === 'POST') {
        if (typeof data.body !== 'string' || data.body === '' || data.body.length > 65536) {
          return this.send(res, 422, { message: 'Validation Failed: body is missing or too long' })
        }
        return this.send(res, 201, this.commentJson(this.addComment(number, data.body)))
      }
    }
    this.send(res, 404, { message: `The fake GitHub has no ${method} ${url.pathname}` })
  }
}
