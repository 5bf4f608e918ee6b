// Stops whatever a state file says was started, by PID, and releases the address slot.
import { rm } from 'node:fs/promises'
import { stopTree } from './processes.js'
import { releaseSlot } from './slots.js'
import { readState, statePath, type TestbedState } from './state.js'

// Stops every recorded process of the test bed in dir; returns false when nothing was recorded there.
export async function stopRecorded(dir: string): Promise<boolean> {
  const state = await readState(dir)
  if (!state) return false
  await stopState(state)
  await rm(statePath(dir), { force: true })
  return true
}

// Stops the hosts and the Vault server of one state, in parallel, each checked against its marker.
export async function stopState(state: TestbedState): Promise<void> {
  const stops = state.hosts.map((host) => stopTree(host.sshdPid, host.configPath))
  if (state.vault) stops.push(stopTree(state.vault.pid, state.vault.marker))
  await Promise.all(stops)
  await releaseSlot(state.slot, state.dir)
}
