// Types of state.mjs for the TypeScript tests (the stand-in itself is plain JS so it starts without tsx).

export interface StubMount { type: 'bind' | 'volume' | 'tmpfs'; source: string; target: string; readOnly: boolean }
export interface StubService {
  name: string
  image: string
  command: string[] | null
  entrypoint: string[] | null
  user: string | null
  environment: Record<string, string | null>
  mounts: StubMount[]
  dependsOn: Record<string, { condition: string; restart: boolean; required: boolean }>
  healthcheck: { test: string[]; interval: string; timeout: string; retries: number; startPeriod: string } | null
  ports: string[]
  restart: string
  envFiles: string[]
}
export interface StubContainer {
  id: string
  name: string
  service: string
  state: 'created' | 'running' | 'exited'
  exitCode: number
  createdAt: string
  startedAt: string
  finishedAt: string
  configHash: string
  spec: StubService
}
export interface StubVolume { key: string; name: string; driver: string; driverOpts: Record<string, string>; external: boolean }
export interface StubProjectState {
  name: string
  workingDir: string
  configFiles: string[]
  containers: Record<string, StubContainer>
  volumes: Record<string, StubVolume>
  network: boolean
}
export interface StubFaults {
  daemonDown?: boolean
  unhealthy?: string[]
  slowMs?: number
  failVerbs?: Record<string, string>
}

export function stubRootOf(dataDir: string): string
export function readProjectState(root: string, project: string): StubProjectState | undefined
export function readServiceLog(root: string, project: string, service: string): string[]
export function volumeDir(root: string, volumeName: string): string
export function lockHeldByLiveProcess(root: string): boolean
export function writeFaults(root: string, faults: StubFaults): void
export function clearFaults(root: string): void
