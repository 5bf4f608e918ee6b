// The one gate before a command changes production state: on a terminal it shows the plan and asks;
// without a terminal (CI, a pipe) it requires --yes and otherwise refuses before anything is touched.
import { createInterface } from 'node:readline/promises'
import { ConfigError } from '../errors.js'

export interface ConfirmInput {
  // what will happen, one line each (no secrets)
  plan: readonly string[]
  // the flag that confirms without asking, named in the refusal
  yes: boolean
  // the command as the user would retype it, for the hint
  command: string
  // injectable for tests; default process streams
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean }
  stderr?: NodeJS.WritableStream & { isTTY?: boolean }
}

// Resolves when the change may go ahead; throws ConfigError (exit 5) when it may not.
export async function confirmChange(input: ConfirmInput): Promise<void> {
  if (input.yes) return
  const stdin = input.stdin ?? process.stdin
  const stderr = input.stderr ?? process.stderr
  if (!stdin.isTTY || !stderr.isTTY) {
    // the verb names what is refused; the hint gives the whole command line to retype
    const words = input.command.split(' ')
    const flagAt = words.findIndex((w) => w.startsWith('-'))
    const verb = (flagAt < 0 ? words : words.slice(0, flagAt)).join(' ')
    throw new ConfigError(`${verb} changes production state and needs --yes when there is no terminal to ask on`, {
      hint: `Nothing was changed. Review the plan (--check where the command has it), then run: ${input.command} --yes`,
    })
  }
  stderr.write(input.plan.map((l) => `  ${l}`).join('\n') + '\n')
  const rl = createInterface({ input: stdin, output: stderr })
  try {
    const answer = await rl.question('Proceed? [y/N] ')
    if (!/^y(es)?$/i.test(answer.trim())) throw new ConfigError('not confirmed: nothing was changed')
  } finally {
    rl.close()
  }
}
