// Out-of-band controls for a server running in another process (the test bed): /__test/* with the root token.
import type { Reply } from './envelope.js'
import type { HealthMode, ServerState } from './state.js'

const MODES = new Set(['active', 'standby', 'perfstandby', 'drsecondary', 'uninitialized'])

// POST /__test/clock {"advance_ms":N}, /__test/seal, /__test/unseal, /__test/mode {"mode":…}; GET /__test/clock.
export function handleControl(state: ServerState, url: string, token: string | string[] | undefined, body: string): Reply {
  if (token !== state.rootToken) return { status: 403, body: { errors: ['test control needs the root token'] } }
  let input: Record<string, unknown>
  try {
    input = body.trim() === '' ? {} : (JSON.parse(body) as Record<string, unknown>)
  } catch {
    return { status: 400, body: { errors: ['error parsing JSON'] } }
  }
  const path = url.split('?')[0]
  switch (path) {
    case '/__test/clock':
      if (typeof input.advance_ms === 'number') state.clock.advance(input.advance_ms)
      return { status: 200, body: { now: state.clock.now() } }
    case '/__test/seal':
      state.sealed = true
      return { status: 204 }
    case '/__test/unseal':
      state.sealed = false
      return { status: 204 }
    case '/__test/mode':
      if (typeof input.mode !== 'string' || !MODES.has(input.mode)) return { status: 400, body: { errors: ['unknown mode'] } }
      state.mode = input.mode as HealthMode
      return { status: 204 }
    default:
      return { status: 404, body: { errors: [] } }
  }
}
