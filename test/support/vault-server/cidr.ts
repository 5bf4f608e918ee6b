// IPv4 CIDR membership for secret-id cidr_list checks (the test bed lives on 127.0.0.0/8).

function ipv4ToInt(ip: string): number | null {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip)
  if (!m) return null
  const parts = m.slice(1).map(Number)
  if (parts.some((p) => p > 255)) return null
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0
}

// True when ip is inside any of the CIDRs (a bare address counts as /32); an empty list allows all.
export function ipAllowed(ip: string, cidrs: string[]): boolean {
  if (cidrs.length === 0) return true
  const addr = ipv4ToInt(ip)
  if (addr === null) return false
  return cidrs.some((c) => {
    const [base, bitsRaw] = c.split('/')
    const net = ipv4ToInt(base ?? '')
    const bits = bitsRaw === undefined ? 32 : Number(bitsRaw)
    if (net === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return false
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
    return (addr & mask) === (net & mask)
  })
}

// Whether a string is a valid IPv4 CIDR (or address) for input validation.
export function isCidr(c: string): boolean {
  const [base, bits] = c.split('/')
  return ipv4ToInt(base ?? '') !== null && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= 32))
}
