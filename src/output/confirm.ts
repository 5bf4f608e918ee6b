// The one confirmation rule for everything that can cause an outage or invalidate credentials
// (restart --all-at-once, setup --new-secret-id, regen-secret-id, adopt, the rotations, the Vault writes):
// on a terminal it shows the plan and asks; without a terminal (CI, a pipe) it requires --yes and otherwise
// refuses before anything is read or connected. --yes has no environment twin: a variable set once in CI
// would pre-approve every later outage.
import { createInterface } from 'node:readline/promises'
import { ConfigError } from '../errors.js'

export interface ConfirmRule {
  // --yes was given on the command line
  yes: boolean
  // the command as the user would retype it, for the hint
  command: string
  // what needs the confirmation, for the refusal (default: the command's words before its first flag)
  action?: string
  // injectable for tests; default process streams
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean }
  stderr?: NodeJS.WritableStream & { isTTY?: boolean }
}

export interface ConfirmInput extends ConfirmRule {
  // what will happen, one line each (no secrets)
  plan: readonly string[]
}

// Shows the plan and asks; resolves when the change may go ahead, throws ConfigError (exit 5) when not.
export type AskConfirmation = (plan: readonly string[]) => Promise<void>

// Step one, to call before anything is read or connected: without --yes and without a terminal it throws
// ConfigError (exit 5) naming --yes. Returns step two, the question, to ask once the plan is known.
export function requireConfirmation(rule: ConfirmRule): AskConfirmation {
  const stdin = rule.stdin ?? process.stdin
  const stderr = rule.stderr ?? process.stderr
  if (!rule.yes && !(stdin.isTTY && stderr.isTTY)) {
    const words = rule.command.split(' ')
    const flagAt = words.findIndex((w) => w.startsWith('-'))
    const action = rule.action ?? (flagAt < 0 ? words : words.slice(0, flagAt)).join(' ')
    throw new ConfigError(`${action} changes production state and needs --yes when there is no terminal to ask on`, {
      hint: `Nothing was changed. Review the plan (--check where the command has it), then run: ${rule.command} --yes (there is no environment variable for --yes).`,
    })
  }
  return async (plan) => {
    if (rule.yes) return
    stderr.write(plan.map((l) => `  ${l}`).join('\n') + '\n')
    const rl = createInterface({ input: stdin, output: stderr })
    try {
      const answer = await rl.question('Proceed? [y/N] ')
      if (!/^y(es)?$/i.test(answer.trim())) throw new ConfigError('not confirmed: nothing was changed')
    } finally {
      rl.close()
    }
  }
}

// Both steps at once, for a command whose plan is known before it reads anything worth guarding.
export async function confirmChange(input: ConfirmInput): Promise<void> {
  await requireConfirmation(input)(input.plan)
}
