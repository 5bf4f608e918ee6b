// The test bed's state file: what was started, by PID, so stop/`down` never kill by name.
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SshdLaunch } from './sshd-process.js'

// One host as recorded: how its sshd was launched, plus what stop and the tests need.
export interface HostState extends Pick<SshdLaunch, 'address' | 'port' | 'configPath' | 'dataDir' | 'homeDir' | 'userHome'> {
  name: string
  commandLog: string
  sshdPid: number
}

export interface VaultState {
  pid: number
  addr: string
  readyFile: string
  marker: string
}

export interface TestbedState {
  version: 1
  dir: string
  slot: number
  ownerPid: number
  detached: boolean
  user: string
  keyFile: string
  knownHostsPath: string
  inventoryPath: string
  hosts: HostState[]
  vault?: VaultState
}

// Where the state of the test bed in dir is kept.
export function statePath(dir: string): string {
  return join(dir, 'testbed.json')
}

// Reads the state file, or undefined when no test bed was started in dir.
export async function readState(dir: string): Promise<TestbedState | undefined> {
  const text = await readFile(statePath(dir), 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  const parsed = JSON.parse(text) as Partial<TestbedState>
  if (parsed.version !== 1 || !Array.isArray(parsed.hosts)) throw new Error(`unrecognised test bed state in ${dir}`)
  return parsed as TestbedState
}

// Writes the state atomically so a concurrent reader never sees half a file.
export async function writeState(state: TestbedState): Promise<void> {
  const path = statePath(state.dir)
  await writeFile(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  await rename(`${path}.tmp`, path)
}
