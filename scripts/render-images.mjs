// Regenerates docs/images/summary.png and docs/images/issue.png from the demo's real
// output: the CLI's Markdown (the job summary from `scan --summary`, an issue body from
// `demo --markdown`), rendered with GitHub's stylesheet and screenshot by headless
// Chromium. Needs `npm run build` first and Chromium on PATH (Debian: apt-get install
// chromium). CI does not run it: the images are committed.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { marked } from 'marked'

const SAMPLE = 'examples/audit-log.sample.jsonl'
const OUT = 'docs/images'
const WIDTH = 1280
const CHROMIUM = process.env.CHROMIUM ?? 'chromium'

const work = mkdtempSync(join(tmpdir(), 'keywatch-images-'))

/** The built CLI, as a user runs it; exit 1 (findings at or above fail-on) is expected. */
function cli(args) {
  const run = spawnSync(process.execPath, ['dist/cli/index.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, OPENAI_ADMIN_KEY: '', NO_COLOR: '1' }
  })
  if (run.status !== 0 && run.status !== 1) {
    throw new Error(`openai-keywatch ${args.join(' ')} exited ${run.status}: ${run.stderr}`)
  }
  return run.stdout
}

function chromium(args) {
  const profile = mkdtempSync(join(work, 'profile-'))
  const run = spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      '--force-device-scale-factor=1',
      `--user-data-dir=${profile}`,
      ...args
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
  )
  if (run.error) throw new Error(`Cannot start ${CHROMIUM} (${run.error.message}): install Chromium or set CHROMIUM.`)
  if (run.status !== 0) throw new Error(`${CHROMIUM} exited ${run.status}: ${run.stderr}`)
  return run.stdout
}

const css = readFileSync('node_modules/github-markdown-css/github-markdown-light.css', 'utf8')

function page(inner) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><style>
${css}
body { margin: 0; background: #fff; }
.frame { box-sizing: border-box; width: ${WIDTH}px; padding: 24px 32px; }
.markdown-body { font-size: 14px; }
.markdown-body table { display: table; width: 100%; font-size: 12px; }
.markdown-body table td, .markdown-body table th { padding: 4px 8px; }
.chrome { font: 14px -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #59636e; margin-bottom: 12px; }
.title { font: 600 28px -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; margin: 0 0 8px; }
.state { display: inline-block; background: #1f883d; color: #fff; border-radius: 2em; padding: 4px 12px; font-weight: 500; margin-right: 8px; }
.label { display: inline-block; background: #d1242f; color: #fff; border-radius: 2em; padding: 0 8px; font-size: 12px; font-weight: 500; line-height: 20px; }
.box { border: 1px solid #d1d9e0; border-radius: 6px; }
.box-head { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; border-radius: 6px 6px 0 0; font: 14px -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #59636e; }
.box .markdown-body { padding: 16px; }
/* Task lists as GitHub shows them: checkboxes, no bullets. */
.markdown-body li:has(> input[type='checkbox']) { list-style: none; margin-left: -1.5em; }
</style>
<script>
  // First pass: report the page's height in the title, for the screenshot's window size.
  window.addEventListener('load', () => { document.title = 'height=' + document.documentElement.scrollHeight })
</script>
</head><body><div class="frame">${inner}</div></body></html>`
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function screenshot(html, name) {
  const file = join(work, `${name}.html`)
  writeFileSync(file, html)
  const url = pathToFileURL(file).href
  const dom = chromium(['--virtual-time-budget=3000', `--window-size=${WIDTH},800`, '--dump-dom', url])
  const height = Number(/<title>height=(\d+)<\/title>/.exec(dom)?.[1])
  if (!Number.isFinite(height) || height <= 0) throw new Error(`Could not measure ${name}.html`)
  const png = resolve(OUT, `${name}.png`)
  chromium(['--virtual-time-budget=3000', `--window-size=${WIDTH},${height}`, `--screenshot=${png}`, url])
  console.log(`${png} (${WIDTH}x${height})`)
}

mkdirSync(OUT, { recursive: true })
try {
  const summaryFile = join(work, 'summary.md')
  cli(['scan', '--file', SAMPLE, '--summary', summaryFile])
  const summary = marked.parse(readFileSync(summaryFile, 'utf8'), { gfm: true })
  screenshot(
    page(
      `<div class="box"><div class="box-head">openai-keywatch summary</div><div class="markdown-body">${summary}</div></div>`
    ),
    'summary'
  )

  const markdownDir = join(work, 'markdown')
  cli(['demo', '--markdown', markdownDir])
  const issues = JSON.parse(readFileSync(join(markdownDir, 'issues.json'), 'utf8'))
  // The deleted key: its issue shows the most (findings, deletion, runbook).
  const issue = issues.find((candidate) => candidate.keyId === 'key_Night0004') ?? issues[0]
  const body = marked.parse(readFileSync(join(markdownDir, issue.file), 'utf8'), { gfm: true })
  const labels = issue.labels.map((label) => `<span class="label">${escapeHtml(label)}</span>`).join(' ')
  screenshot(
    page(
      `<h1 class="title">${escapeHtml(issue.title)}</h1>
<div class="chrome"><span class="state">Open</span> github-actions opened this issue · ${labels}</div>
<div class="box"><div class="box-head"><b>github-actions</b> bot</div><div class="markdown-body">${body}</div></div>`
    ),
    'issue'
  )
} finally {
  rmSync(work, { recursive: true, force: true })
}
