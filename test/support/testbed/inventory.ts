// The files a client of the test bed needs: an Ansible INI inventory and a known_hosts file.

export interface InventoryHost {
  name: string
  address: string
  port: number
}

export interface InventoryOptions {
  hosts: InventoryHost[]
  user: string
  keyFile: string
  knownHostsPath: string
  vaultAddr?: string
}

// An INI inventory with group `authentik`, usable unchanged by authctl and by ansible itself.
export function inventoryIni(options: InventoryOptions): string {
  const lines = ['# Written by the authctl test bed.', '[authentik]']
  for (const host of options.hosts) {
    lines.push(
      `${host.name} ansible_host=${host.address} ansible_port=${host.port} ansible_user=${options.user} ansible_ssh_private_key_file=${options.keyFile}`,
    )
  }
  lines.push('', '[authentik:vars]')
  // For ansible itself: check host keys against the bed's known_hosts, never the operator's.
  lines.push(`ansible_ssh_common_args='-o UserKnownHostsFile=${options.knownHostsPath} -o StrictHostKeyChecking=yes'`)
  if (options.vaultAddr !== undefined) lines.push(`vault_addr=${options.vaultAddr}`)
  return `${lines.join('\n')}\n`
}

// known_hosts lines (plain, not hashed) with each host's real key; port 22 needs no [brackets].
export function knownHostsText(entries: { address: string; port: number; key: string }[]): string {
  return entries
    .map(({ address, port, key }) => `${port === 22 ? address : `[${address}]:${port}`} ${key}\n`)
    .join('')
}
