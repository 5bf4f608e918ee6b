// oclif's command_not_found hook: a mistyped command is named, the closest command suggested, and nothing
// runs (exit 127). Unlike @oclif/plugin-not-found, it never offers to run the suggestion: "authctl stup -l
// web" followed by Enter must not deploy, and CI logs get the suggestion too (no terminal needed).
import type { Hook } from '@oclif/core'
import { closestCommand } from './closest-command.js'

const hook: Hook.CommandNotFound = async function (opts) {
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' '))
  const typed = opts.id.replaceAll(':', ' ')
  const suggestion = closestCommand(typed, ids)
  const hint = suggestion === undefined ? '' : ` Did you mean: ${opts.config.bin} ${suggestion}?`
  // written as every other authctl error is (one unwrapped line, then the hint), not through oclif's wrapping
  process.stderr.write(`Error: ${typed} is not an ${opts.config.bin} command.${hint}\nHint: Run ${opts.config.bin} help for the list of commands.\n`)
  this.exit(127)
}

export default hook
