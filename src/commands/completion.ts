// `authctl completion bash|zsh`: prints the shell's completion script (src/completion/scripts.ts).
import { Args } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { completionScript, SHELLS, type Shell } from '../completion/scripts.js'

export default class Completion extends BaseCommand {
  static override enableJsonFlag = false
  static override summary = 'Print the bash or zsh completion script (commands, flags, inventory hosts and groups for -l).'
  static override description = 'Tab then completes commands, flags, fixed flag values, file names, and for -l/--limit the host and group names of the inventory the command line names (-i, else AUTHCTL_INVENTORY, else inventory/hosts.ini), by asking this authctl on every Tab.'
  static override examples = [
    '<%= config.bin %> completion bash > /etc/bash_completion.d/authctl   # or: source <(authctl completion bash) in ~/.bashrc',
    '<%= config.bin %> completion zsh > "${fpath[1]}/_authctl"             # or: source <(authctl completion zsh) in ~/.zshrc after compinit',
  ]

  static override args = {
    shell: Args.string({ description: 'The shell.', required: true, options: [...SHELLS] }),
  }

  async run(): Promise<void> {
    const { args } = await this.parse(Completion)
    process.stdout.write(completionScript(args.shell as Shell))
  }
}
