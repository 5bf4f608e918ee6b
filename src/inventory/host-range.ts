// Host patterns as Ansible reads them: an optional `:port` (parse_address) and `[beg:end:step]` ranges
// (expand_hostname_range), ported rule for rule so expansions and ports match ansible-inventory.

// A host pattern that cannot be expanded; the caller adds path:line.
export class HostPatternError extends Error {}

const NUM_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`
const V6 = `(?:[0-9a-f]{1,4}|${HEX_RANGE})`
const V4 = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUM_RANGE})`
const LABEL = String.raw`(?:[\p{L}\p{N}_]|${ALNUM_RANGE})(?:[\p{L}\p{N}_-]|${ALNUM_RANGE})*(?<![_-])`
const V4_ADDR = `(?:${V4}\\.){3}${V4}`
const V6_FORMS = [
  `(?:${V6}:){7}${V6}`, `(?:${V6}:){1,6}:`, `(?:${V6}:)(?::${V6}){1,6}`, `(?:${V6}:){2}(?::${V6}){1,5}`,
  `(?:${V6}:){3}(?::${V6}){1,4}`, `(?:${V6}:){4}(?::${V6}){1,3}`, `(?:${V6}:){5}(?::${V6}){1,2}`,
  `(?:${V6}:){6}(?::${V6})`, `:(?::${V6}){1,6}`, `${V6}?::`, `(?:0:){6}${V4_ADDR}`, `::(?:ffff:)?${V4_ADDR}`,
  `(?:0:){5}ffff:${V4_ADDR}`,
]

const PATTERNS = {
  bracketedHostport: /^\[(.+)\]:([0-9]+)$/,
  hostport: /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/,
  ipv4: new RegExp(`^${V4_ADDR}$`, 'i'),
  // re.match anchors every alternative at the start, but Python's `$` binds to the last alternative only.
  ipv6: new RegExp(`^(?:${V6_FORMS.map((f, i) => (i === V6_FORMS.length - 1 ? `${f}$` : f)).join('|')})`, 'i'),
  hostname: new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'iu'),
}

// parse_address(allow_ranges=True): the host part and port, or undefined when it is not a valid address.
export function parseAddress(address: string): { host: string; port?: number } | undefined {
  let rest = address
  let port: number | undefined
  for (const re of [PATTERNS.bracketedHostport, PATTERNS.hostport]) {
    const m = re.exec(rest)
    if (m) {
      rest = m[1] as string
      port = Number.parseInt(m[2] as string, 10)
    }
  }
  const valid = [PATTERNS.ipv4, PATTERNS.ipv6, PATTERNS.hostname].some((re) => re.test(rest))
  return valid ? { host: rest, port } : undefined
}

// _expand_hostpattern: the host names a pattern stands for, and the port that applies to all of them.
export function expandHostPattern(pattern: string): { hosts: string[]; port?: number } {
  const parsed = parseAddress(pattern) ?? { host: pattern }
  const hosts = parsed.host.includes('[') ? expandHostnameRange(parsed.host) : [parsed.host]
  return { hosts, port: parsed.port }
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

// Python int() of a range bound.
function pyInt(text: string): number {
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text)) throw new HostPatternError(`invalid literal for int() with base 10: '${text}'`)
  return Number.parseInt(text.replace(/_/g, ''), 10)
}

// expand_hostname_range: the first [..] is expanded, then recursion handles the rest, left to right.
export function expandHostnameRange(line: string): string[] {
  const parts = line.replace('[', '|').replace(']', '|').split('|')
  if (parts.length !== 3) throw new HostPatternError(`invalid host range in '${line}'`)
  const [head, range, tail] = parts as [string, string, string]
  const bounds = range.split(':')
  if (bounds.length !== 2 && bounds.length !== 3) throw new HostPatternError('host range must be begin:end or begin:end:step')
  const beg = bounds[0] || '0'
  const end = bounds[1] as string
  const step = bounds[2] ?? '1'
  if (!end) throw new HostPatternError('host range must specify end value')
  let fill = (x: string | number): string => String(x)
  if (beg[0] === '0' && beg.length > 1) {
    if (beg.length !== end.length) throw new HostPatternError('host range must specify equal-length begin and end formats')
    fill = (x) => String(x).padStart(beg.length, '0')
  }
  const out: string[] = []
  for (const item of rangeItems(beg, end, step)) {
    const name = head + fill(item) + tail
    if (name.includes('[')) out.push(...expandHostnameRange(name))
    else out.push(name)
  }
  return out
}

// The sequence of one range: letters a..zA..Z (found by substring search, as str.index does) or integers.
function rangeItems(beg: string, end: string, step: string): Array<string | number> {
  const iBeg = LETTERS.indexOf(beg)
  const iEnd = LETTERS.indexOf(end)
  const alphaStep = /^\s*[+-]?\d+\s*$/.test(step) ? Number.parseInt(step, 10) : 0
  if (iBeg >= 0 && iEnd >= 0 && alphaStep > 0) {
    if (iBeg > iEnd) throw new HostPatternError('host range must have begin <= end')
    const letters: string[] = []
    for (let i = iBeg; i <= iEnd; i += alphaStep) letters.push(LETTERS[i] as string)
    return letters
  }
  const [b, e, s] = [pyInt(beg), pyInt(end), pyInt(step)]
  if (s === 0) throw new HostPatternError('range() arg 3 must not be zero')
  const nums: number[] = []
  for (let i = b; s > 0 ? i <= e : i >= e; i += s) nums.push(i)
  return nums
}
