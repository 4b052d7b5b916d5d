// Bundles the action (dist/index.js) and the CLI (dist/cli/index.js) with ncc.
// The output is committed and must be byte-for-byte reproducible: CI rebuilds and diffs.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'

const ncc = ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', '--license', 'licenses.txt', '--quiet']
rmSync('dist', { recursive: true, force: true })
// The prefilter's WebAssembly pass first: its bytes are a source file ncc bundles.
execFileSync(process.execPath, ['scripts/build-wasm.mjs'], { stdio: 'inherit' })
execFileSync(process.execPath, [...ncc, 'src/index.ts', '-o', 'dist'], { stdio: 'inherit' })
execFileSync(process.execPath, [...ncc, 'src/bin.ts', '-o', 'dist/cli'], { stdio: 'inherit' })
