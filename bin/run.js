#!/usr/bin/env node
// `authctl` and `authctl --help` print the help text rendered at build time (dist/help.txt), so the
// most common first command does not pay for loading oclif; everything else goes through oclif.
import { readFileSync } from 'node:fs'

const args = process.argv.slice(2)
const topLevelHelp = args.length === 0 || (args.length === 1 && args[0] === '--help')
let help
if (topLevelHelp && !process.env.AUTHCTL_NO_FAST_HELP) {
  try {
    help = readFileSync(new URL('../dist/help.txt', import.meta.url))
  } catch {
    help = undefined // not built with help.txt: let oclif render it
  }
}
if (help) {
  process.stdout.write(help)
} else {
  const { execute } = await import('@oclif/core')
  await execute({ dir: import.meta.url })
}
