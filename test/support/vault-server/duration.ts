// Vault duration parsing: integer seconds or Go duration strings ("60m", "1h30m", "720h").

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 }

// Seconds for a duration field; throws with Vault-like text on garbage.
export function parseDurationSeconds(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return 0
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new Error(`invalid duration ${String(raw)}`)
    return Math.trunc(raw)
  }
  if (typeof raw !== 'string') throw new Error(`invalid duration ${JSON.stringify(raw)}`)
  const s = raw.trim()
  if (/^-?\d+$/.test(s)) return Number.parseInt(s, 10)
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy
  let total = 0
  let pos = 0
  const negative = s.startsWith('-')
  const body = negative ? s.slice(1) : s
  re.lastIndex = 0
  while (pos < body.length) {
    re.lastIndex = pos
    const m = re.exec(body)
    if (!m || m[1] === undefined || m[2] === undefined) throw new Error(`time: invalid duration "${raw}"`)
    total += Number.parseFloat(m[1]) * (UNIT_SECONDS[m[2]] ?? 0)
    pos = re.lastIndex
  }
  if (body.length === 0) throw new Error(`time: invalid duration "${raw}"`)
  return Math.trunc(negative ? -total : total)
}

// Go's time.Duration String() for whole seconds ("3h25m19s", "0s").
export function formatGoDuration(seconds: number): string {
  if (seconds === 0) return '0s'
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  if (h > 0) return `${h}h${m}m${s}s`
  if (m > 0) return `${m}m${s}s`
  return `${s}s`
}
