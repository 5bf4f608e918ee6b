// Host patterns as Ansible reads them: an optional `:port` (parse_address) and `[beg:end:step]` ranges
// (expand_hostname_range), ported rule for rule so expansions and ports match ansible-inventory.

import { MAX_RANGE_HOSTS } from './limits.js'

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

// _expand_hostpattern: the host names a pattern stands for, and the port that applies to all of them;
// a pattern standing for more than MAX_RANGE_HOSTS is refused before any name is made.
export function expandHostPattern(pattern: string): { hosts: string[]; port?: number } {
  const parsed = parseAddress(pattern) ?? { host: pattern }
  if (!parsed.host.includes('[')) return { hosts: [parsed.host], port: parsed.port }
  const count = countHostnameRange(parsed.host)
  if (count > MAX_RANGE_HOSTS) {
    throw new HostPatternError(`host range '${parsed.host}' stands for ${count} hosts; authctl takes at most ${MAX_RANGE_HOSTS} from one line`)
  }
  return { hosts: expandHostnameRange(parsed.host), port: parsed.port }
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

// Python int() of a range bound.
function pyInt(text: string): number {
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text)) throw new HostPatternError(`invalid literal for int() with base 10: '${text}'`)
  return Number.parseInt(text.replace(/_/g, ''), 10)
}

// One range's sequence: letters a..zA..Z (the slice already taken) or Python's range(beg, end + 1, step).
type Sequence = { letters: string } | { beg: number; stop: number; step: number }

// The first [..] of a pattern, parsed and checked exactly as expand_hostname_range does.
interface FirstRange {
  head: string
  tail: string
  fill: (x: string | number) => string
  seq: Sequence
}

function firstRange(line: string): FirstRange {
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
  return { head, tail, fill, seq: sequence(beg, end, step) }
}

// The letters (found by substring search, as str.index does, sliced with the step) or the integer range.
function sequence(beg: string, end: string, step: string): Sequence {
  const iBeg = LETTERS.indexOf(beg)
  const iEnd = LETTERS.indexOf(end)
  const alphaStep = /^\s*[+-]?\d+\s*$/.test(step) ? Number.parseInt(step, 10) : 0
  if (iBeg >= 0 && iEnd >= 0 && alphaStep !== 0) {
    if (iBeg > iEnd) throw new HostPatternError('host range must have begin <= end')
    // A negative step slices [iBeg:iEnd+1:step] from the right end, which is empty when iBeg <= iEnd.
    if (alphaStep < 0) return { letters: '' }
    let letters = ''
    for (let i = iBeg; i <= iEnd; i += alphaStep) letters += LETTERS[i] as string
    return { letters }
  }
  const [b, e, s] = [pyInt(beg), pyInt(end), pyInt(step)]
  if (s === 0) throw new HostPatternError('range() arg 3 must not be zero')
  return { beg: b, stop: e + 1, step: s }
}

function sizeOf(seq: Sequence): number {
  if ('letters' in seq) return seq.letters.length
  const span = seq.step > 0 ? seq.stop - seq.beg : seq.beg - seq.stop
  return Math.max(0, Math.ceil(span / Math.abs(seq.step)))
}

function itemsOf(seq: Sequence): Array<string | number> {
  if ('letters' in seq) return [...seq.letters]
  const items: number[] = []
  for (let i = seq.beg; seq.step > 0 ? i < seq.stop : i > seq.stop; i += seq.step) items.push(i)
  return items
}

// How many names a pattern with [..] ranges stands for, without making them: the product of each
// range's size (the rules are the expansion's own, so an invalid later range fails here too).
export function countHostnameRange(line: string): number {
  let count = 1
  for (let rest = line; rest.includes('['); ) {
    const range = firstRange(rest)
    count *= sizeOf(range.seq)
    if (count === 0) return 0
    rest = `${range.head}0${range.tail}`
  }
  return count
}

// expand_hostname_range: the first [..] is expanded, then recursion handles the rest, left to right.
export function expandHostnameRange(line: string): string[] {
  const { head, tail, fill, seq } = firstRange(line)
  const out: string[] = []
  for (const item of itemsOf(seq)) {
    const name = head + fill(item) + tail
    if (name.includes('[')) out.push(...expandHostnameRange(name))
    else out.push(name)
  }
  return out
}
