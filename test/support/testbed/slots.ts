// Address slots: slot s puts host i on 127.0.s.(10+i):22, so test files running in parallel (and a
// bed started by hand) never fight over the same address. Slot 0 is the documented 127.0.0.11.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isAlive, isOurs } from './processes.js'
import { accepts } from './sshd-process.js'
import { readState } from './state.js'

// How many test beds may run at once on one machine.
export const SLOT_COUNT = 16

interface SlotOwner {
  dir: string
  ownerPid: number
  detached: boolean
}

const slotsRoot = join(tmpdir(), 'authctl-testbed-slots')

// The loopback address of host index (1-based) in slot.
export function hostAddress(slot: number, index: number): string {
  return `127.0.${slot}.${10 + index}`
}

// Claims a slot for the bed in dir (the requested one, or the first free one) and returns it.
export async function claimSlot(owner: SlotOwner, wanted?: number): Promise<number> {
  await mkdir(slotsRoot, { recursive: true, mode: 0o700 })
  const candidates = wanted === undefined ? [...Array(SLOT_COUNT).keys()] : [wanted]
  for (const slot of candidates) {
    if (await tryClaim(slot, owner)) {
      // Something outside our bookkeeping (a stray sshd) already answers there: leave the slot alone.
      if (!(await accepts(hostAddress(slot, 1), 22, 200))) return slot
      await releaseSlot(slot, owner.dir)
    }
  }
  throw new Error(wanted === undefined ? 'no free test bed slot' : `test bed slot ${wanted} is in use`)
}

// Releases a slot if dir still owns it.
export async function releaseSlot(slot: number, dir: string): Promise<void> {
  const current = await readOwner(slot)
  if (current && current.dir !== dir) return
  await rm(join(slotsRoot, `slot-${slot}`), { recursive: true, force: true })
}

async function tryClaim(slot: number, owner: SlotOwner): Promise<boolean> {
  const lockDir = join(slotsRoot, `slot-${slot}`)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await mkdir(lockDir)
      await writeFile(join(lockDir, 'owner.json'), JSON.stringify(owner))
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      if (!(await isStale(slot))) return false
      await rm(lockDir, { recursive: true, force: true })
    }
  }
  return false
}

// A slot is stale when its owner process is gone and none of its recorded processes still run.
async function isStale(slot: number): Promise<boolean> {
  const owner = await readOwner(slot)
  if (!owner) {
    // Being written right now (taken), unless the claimer died between mkdir and write long ago.
    const age = await stat(join(slotsRoot, `slot-${slot}`)).then((s) => Date.now() - s.mtimeMs, () => 0)
    return age > 10_000
  }
  if (isAlive(owner.ownerPid)) return false
  const state = await readState(owner.dir).catch(() => undefined)
  if (!state) return true
  const running = state.hosts.some((host) => isOurs(host.sshdPid, host.configPath))
  if (running && owner.detached) return false
  if (running) {
    // A test process died without stop(): its hosts are orphans, recorded by PID; end them.
    const { stopState } = await import('./teardown.js')
    await stopState(state)
  }
  return true
}

async function readOwner(slot: number): Promise<SlotOwner | undefined> {
  const text = await readFile(join(slotsRoot, `slot-${slot}`, 'owner.json'), 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as SlotOwner
  } catch {
    return undefined
  }
}
