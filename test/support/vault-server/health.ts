// sys/health and sys/seal-status: answered even while sealed, with the *code query overrides.
import type { Reply } from './envelope.js'
import { parseBool } from './route.js'
import type { ServerState } from './state.js'

// Reported by sys/health; a plausible recent release.
export const VAULT_VERSION = '1.16.0'

const CODE_PARAMS = { activecode: 200, standbycode: 429, drsecondarycode: 472, performancestandbycode: 473, sealedcode: 503, uninitcode: 501 } as const

// GET/HEAD sys/health (http/sys_health.go): status by precedence, body on every status for GET.
export function health(state: ServerState, query: URLSearchParams, head: boolean): Reply {
  const codes: Record<string, number> = { ...CODE_PARAMS }
  for (const name of Object.keys(CODE_PARAMS)) {
    const v = query.get(name)
    if (v === null) continue
    if (!/^-?\d+$/.test(v)) return { status: 400, body: { errors: [] } }
    codes[name] = Number(v)
  }
  const flag = (name: string): boolean | null => {
    const v = query.get(name)
    if (v === null) return false
    if (v === '') return true
    const b = parseBool(v)
    return b === undefined ? true : b
  }
  const standbyOk = flag('standbyok')
  const perfStandbyOk = flag('perfstandbyok')
  if (standbyOk === null || perfStandbyOk === null) return { status: 400, body: { errors: [] } }

  const initialized = state.mode !== 'uninitialized'
  const sealed = !initialized || state.sealed
  const standby = sealed || state.mode === 'standby' || state.mode === 'perfstandby'
  const perfStandby = !sealed && state.mode === 'perfstandby'
  let status: number
  if (!initialized) status = codes.uninitcode!
  else if (sealed) status = codes.sealedcode!
  else if (state.mode === 'drsecondary') status = codes.drsecondarycode!
  else if (perfStandby && !perfStandbyOk) status = codes.performancestandbycode!
  else if (state.mode === 'standby' && !standbyOk) status = codes.standbycode!
  else status = codes.activecode!

  const serverTime = Math.floor(state.clock.now() / 1000)
  const body = sealed
    ? { initialized, sealed: true, standby: true, performance_standby: false, replication_performance_mode: 'unknown', replication_dr_mode: 'unknown', server_time_utc: serverTime, version: VAULT_VERSION }
    : {
        clock_skew_ms: 0,
        cluster_id: state.clusterId,
        cluster_name: state.clusterName,
        echo_duration_ms: 0,
        enterprise: false,
        initialized,
        performance_standby: perfStandby,
        replication_dr_mode: state.mode === 'drsecondary' ? 'secondary' : 'disabled',
        replication_performance_mode: 'disabled',
        sealed: false,
        server_time_utc: serverTime,
        standby,
        version: VAULT_VERSION,
      }
  return head ? { status } : { status, body }
}

// GET sys/seal-status (what `vault status` reads first).
export function sealStatus(state: ServerState): Reply {
  const initialized = state.mode !== 'uninitialized'
  const sealed = !initialized || state.sealed
  return {
    status: 200,
    body: { type: 'shamir', initialized, sealed, t: 1, n: 1, progress: 0, nonce: '', version: VAULT_VERSION, build_date: '2024-03-01T00:00:00Z', migration: false, recovery_seal: false, storage_type: 'inmem', ...(sealed ? {} : { cluster_name: state.clusterName, cluster_id: state.clusterId }) },
  }
}
