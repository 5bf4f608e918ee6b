// `authctl help [COMMAND…]`: the help of authctl or of one command, as --help shows it (the "did you
// mean" of a mistyped command points here).
import { Args, Command, loadHelpClass } from '@oclif/core'

export default class Help extends Command {
  static override summary = 'Show the help of authctl or of one command (e.g. authctl help lock status).'
  static override strict = false
  static override args = {
    command: Args.string({ description: 'The command, its words separated by spaces.', required: false }),
  }

  async run(): Promise<void> {
    const { argv } = await this.parse(Help)
    const HelpClass = await loadHelpClass(this.config)
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(argv as string[])
  }
}
