// The bench's hold on the test bed: what state the hosts are in (fresh, or deployed by which tool),
// how to make them fresh again, and how many remote commands each host ran.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Testbed } from '../../test/support/testbed/index.js'

// What the hosts hold: nothing, or a deployment made by one of the tools (their files differ in
// mode and bookkeeping, so a no-change run must follow a deployment by the same tool).
export type HostsState = 'fresh' | 'authctl' | 'ansible' | 'unknown'


// Removes what either tool left on every host: the deploy root and the docker stand-in's state.
export async function wipeHosts(bed: Testbed): Promise<void> {
  await Promise.all(
    bed.hosts.flatMap((h) => [
      rm(join(h.dataDir, 'authentik'), { recursive: true, force: true }),
      rm(join(h.dataDir, '.docker-stub'), { recursive: true, force: true }),
    ]),
  )
}

// The commands each host's log recorded since the last clearCommands(), by host name.
export async function hostCommands(bed: Testbed): Promise<Map<string, string[]>> {
  return new Map(await Promise.all(bed.hosts.map(async (h) => [h.name, await bed.commands(h.name)] as const)))
}
