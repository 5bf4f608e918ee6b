#!/usr/bin/env node
// `authctl`, `authctl --help` and `authctl --version` are answered without loading oclif (the help text
// is rendered at build time into dist/help.txt), and so is `__complete`, which the shell completion
// script runs on every Tab; everything else goes through oclif.
import { readFileSync } from 'node:fs'

const args = process.argv.slice(2)
const read = (path) => {
  try {
    return readFileSync(new URL(path, import.meta.url), 'utf8')
  } catch {
    return undefined // not built yet: fall through to oclif
  }
}

const topLevelHelp = args.length === 0 || (args.length === 1 && args[0] === '--help')
const help = topLevelHelp && !process.env.AUTHCTL_NO_FAST_HELP ? read('../dist/help.txt') : undefined
if (help !== undefined) {
  process.stdout.write(help)
} else if (args.length === 1 && args[0] === '--version') {
  // the version, the commit dist/ was built from (npm run build records it) and the Node running us
  const { version } = JSON.parse(read('../package.json'))
  const commit = read('../dist/commit.txt')?.trim() || 'unknown'
  process.stdout.write(`authctl ${version} (commit ${commit}) node ${process.version} ${process.platform}-${process.arch}\n`)
} else if (args[0] === '__complete') {
  const { printCompletions } = await import('../dist/completion/main.js')
  await printCompletions(args.slice(1))
} else {
  const { execute } = await import('@oclif/core')
  await execute({ dir: import.meta.url })
}
