// `authctl ssh-check`: a thin adapter from flags to the ssh-check play.
import { BaseCommand } from '../base-command.js'
import { connectionFlags, hostSelection, inventoryFlags } from '../flags.js'

export default class SshCheck extends BaseCommand {
  static override summary = 'Connect to each selected host and show how it was reached and how long the handshake took.'
  static override description =
    'Resolves every host like OpenSSH (ssh config, ProxyJump, identity files, ssh-agent) under the inventory variables, connects, and prints user, address, port, jump hosts, the key used and the host key fingerprint. Exit 4 when any host is unreachable.'
  static override examples = ['<%= config.bin %> ssh-check -i inventory/hosts.ini', '<%= config.bin %> ssh-check -F ci/ssh_config -l authentik-2 --json']
  static override flags = { ...inventoryFlags, ...connectionFlags }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(SshCheck)
    const { sshCheckCommand } = await import('../plays/ssh-check/command.js')
    return sshCheckCommand({ ...hostSelection(flags), json: this.jsonEnabled(), argv: this.argv })
  }
}
