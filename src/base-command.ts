// Shared flags and error handling for every authctl command: maps errors to the exit-code table and
// prints a message plus hint (never a stack for a user mistake; a stack for bugs only with --verbose).
import { Command, Flags, Interfaces } from '@oclif/core'
import { AuthctlError, EXIT_CODES, exitCodeOf } from './errors.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>

export abstract class BaseCommand extends Command {
  static enableJsonFlag = true

  static baseFlags = {
    verbose: Flags.boolean({ summary: 'Show debug details and stack traces of internal errors.', env: 'AUTHCTL_VERBOSE', helpGroup: 'GLOBAL' }),
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    const code = exitCodeOf(err)
    const verbose = this.argv.includes('--verbose') || process.env.AUTHCTL_VERBOSE === 'true' || process.env.AUTHCTL_VERBOSE === '1'
    if (this.jsonEnabled()) {
      this.logJson({ error: { code: err instanceof AuthctlError ? err.name : 'Error', message: err.message, hint: (err as AuthctlError).hint, exitCode: code } })
    } else {
      const lines = [`Error: ${err.message}`]
      if (err instanceof AuthctlError && err.hint) lines.push(`Hint: ${err.hint}`)
      if (code === EXIT_CODES.bug) lines.push(verbose ? String(err.stack) : 'This is a bug in authctl; run again with --verbose for the stack trace.')
      process.stderr.write(lines.join('\n') + '\n')
    }
    process.exitCode = code
    this.exit(code)
  }
}
