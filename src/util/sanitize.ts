// Text a host sent us, made safe to show a person. A compromised host must not drive the operator's
// terminal (escape sequences, OSC 52 clipboard writes, \r or backspace overwrites, bidi reordering) nor
// flood it; so everything that is not visible text is shown escaped (nothing is hidden), and the size is
// bounded with a visible marker. Redact secrets before sanitizing: a cut could split a secret.

// Where line breaks and tabs may stay, and how large the result may be.
export interface SanitizeOptions {
  // Keep line breaks (multi-line stderr); CRLF becomes LF. Otherwise a newline is shown as `\n`.
  newlines?: boolean
  // Keep tabs; otherwise shown as `\t`.
  tabs?: boolean
  // Bound on the UTF-8 size of the result, marker included (default DEFAULT_MAX_BYTES, at least 64).
  maxBytes?: number
}

// What a remote string may take on screen unless the caller says otherwise.
export const DEFAULT_MAX_BYTES = 4096
const MIN_MAX_BYTES = 64
// Scan no more than this many input units per output byte: stripped colour codes produce no output.
const SCAN_FACTOR = 4
const NAMED: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r' }
// Controls, format characters (bidi overrides, zero-width, BOM), line/paragraph separators, lone surrogates.
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]$/u

interface Piece {
  text: string
  outBytes: number
  inChars: number
  inBytes: number
}

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
}

function hex(cp: number, width: number): string {
  return cp.toString(16).padStart(width, '0')
}

// The visible escape of one code point: \t \n \r, \xNN, \uNNNN or \u{NNNNN}.
function escapeOf(cp: number): string {
  if (NAMED[cp] !== undefined) return NAMED[cp]
  if (cp <= 0xff) return `\\x${hex(cp, 2)}`
  return cp <= 0xffff ? `\\u${hex(cp, 4)}` : `\\u{${hex(cp, 5)}}`
}

// Length of an SGR sequence (ESC [ digits ; : m, colours and bold) at i, else 0. SGR is the one escape
// common in honest output and only styles text, so it is dropped rather than shown.
function sgrLength(text: string, i: number): number {
  if (text.charCodeAt(i + 1) !== 0x5b) return 0
  for (let j = i + 2; j < text.length && j < i + 64; j++) {
    const c = text.charCodeAt(j)
    if (c === 0x6d) return j - i + 1
    if (!((c >= 0x30 && c <= 0x39) || c === 0x3b || c === 0x3a)) return 0
  }
  return 0
}

function nextPiece(text: string, i: number, opts: SanitizeOptions, fromBytes: boolean): Piece {
  const cp = text.codePointAt(i) as number
  const inChars = cp > 0xffff ? 2 : 1
  const keep = (): Piece => ({ text: text.slice(i, i + inChars), outBytes: utf8Length(cp), inChars, inBytes: utf8Length(cp) })
  const shown = (escaped: string, inBytes: number): Piece => ({ text: escaped, outBytes: escaped.length, inChars, inBytes })
  if (cp >= 0x20 && cp < 0x7f) return keep()
  if (cp === 0x1b) {
    const sgr = sgrLength(text, i)
    if (sgr > 0) return { text: '', outBytes: 0, inChars: sgr, inBytes: sgr }
  }
  if (cp === 0x0a && opts.newlines) return keep()
  if (cp === 0x0d && opts.newlines && text.charCodeAt(i + 1) === 0x0a) return { text: '\n', outBytes: 1, inChars: 2, inBytes: 2 }
  if (cp === 0x09 && opts.tabs) return keep()
  // A byte that was not valid UTF-8, carried through decoding as U+DC80..U+DCFF (see decodeBytes).
  if (fromBytes && cp >= 0xdc80 && cp <= 0xdcff) return shown(`\\x${hex(cp & 0xff, 2)}`, 1)
  if (INVISIBLE.test(text.slice(i, i + inChars))) return shown(escapeOf(cp), utf8Length(cp))
  return keep()
}

// Length of the valid UTF-8 sequence at i (RFC 3629: no overlongs, surrogates or > U+10FFFF), else 0.
function sequenceLength(b: Uint8Array, i: number): number {
  const b0 = b[i] as number
  if (b0 < 0x80) return 1
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && (b[i + k] as number) >= lo && (b[i + k] as number) <= hi
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const [lo, hi] = b0 === 0xe0 ? [0xa0, 0xbf] : b0 === 0xed ? [0x80, 0x9f] : [0x80, 0xbf]
    return cont(1, lo, hi) && cont(2) ? 3 : 0
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const [lo, hi] = b0 === 0xf0 ? [0x90, 0xbf] : b0 === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf]
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0
  }
  return 0
}

// The code point of a valid UTF-8 sequence of `len` bytes at i.
function codePointAt(b: Uint8Array, i: number, len: number): number {
  const b0 = b[i] as number
  if (len === 1) return b0
  let cp = b0 & (0xff >> (len + 1))
  for (let k = 1; k < len; k++) cp = (cp << 6) | ((b[i + k] as number) & 0x3f)
  return cp
}

// Decodes UTF-8, keeping each invalid byte as U+DC80..U+DCFF (Python's surrogateescape) so it can be shown.
function decodeBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    let out = ''
    let units: number[] = []
    for (let i = 0; i < bytes.length; ) {
      const len = sequenceLength(bytes, i)
      units.push(len === 0 ? 0xdc00 | (bytes[i] as number) : codePointAt(bytes, i, len))
      i += len === 0 ? 1 : len
      // In chunks: fromCodePoint takes its code points as arguments, and arguments are bounded.
      if (units.length === 4096 || i >= bytes.length) {
        out += String.fromCodePoint(...units)
        units = []
      }
    }
    return out
  }
}

// The head of a byte string, cut on a character boundary.
function headBytes(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length <= max) return bytes
  let end = max
  for (let k = 0; k < 3 && end > 0 && ((bytes[end] as number) & 0xc0) === 0x80; k++) end--
  return bytes.subarray(0, end)
}

// The head of a string, not ending in half a surrogate pair.
function headText(text: string, max: number): string {
  if (text.length <= max) return text
  const last = text.charCodeAt(max - 1)
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max)
}

const marker = (more: number): string => `…(${more} more bytes)`

// Makes one remote string (decoded text, or raw bytes that may not be UTF-8) safe to print: every
// control, format and invalid character shown escaped, colour codes dropped, at most maxBytes long.
export function sanitizeRemote(input: string | Uint8Array, opts: SanitizeOptions = {}): string {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES
  if (!(maxBytes >= MIN_MAX_BYTES)) throw new RangeError(`sanitizeRemote: maxBytes must be at least ${MIN_MAX_BYTES}`)
  const fromBytes = typeof input !== 'string'
  const total = fromBytes ? input.length : Buffer.byteLength(input, 'utf8')
  const scan = maxBytes * SCAN_FACTOR
  const text = fromBytes ? decodeBytes(headBytes(input, scan)) : headText(input, scan)
  const budget = maxBytes - Buffer.byteLength(marker(total))
  let out = ''
  let outBytes = 0
  let consumed = 0
  let cut = { length: 0, consumed: 0 }
  let i = 0
  while (i < text.length) {
    const piece = nextPiece(text, i, opts, fromBytes)
    if (outBytes + piece.outBytes > maxBytes) break
    out += piece.text
    outBytes += piece.outBytes
    consumed += piece.inBytes
    i += piece.inChars
    if (outBytes <= budget) cut = { length: out.length, consumed }
  }
  if (consumed === total) return out
  return out.slice(0, cut.length) + marker(total - cut.consumed)
}

// A JSON value a host sent us (lock details, state), safe to print or put in --json.
export type RemoteValue = string | number | boolean | null | RemoteValue[] | { [key: string]: RemoteValue }

const VALUE_DEPTH = 8
const VALUE_ENTRIES = 100

// Sanitizes every string (and key) of a parsed JSON value, cutting nesting and long lists; each string
// gets opts.maxBytes (default 1024).
export function sanitizeRemoteValue(value: unknown, opts: SanitizeOptions = {}, depth = 0): RemoteValue {
  const text = (s: string): string => sanitizeRemote(s, { ...opts, maxBytes: opts.maxBytes ?? 1024 })
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value
  if (typeof value === 'string') return text(value)
  if (typeof value !== 'object') return text(String(value))
  if (depth >= VALUE_DEPTH) return '…'
  if (Array.isArray(value)) return value.slice(0, VALUE_ENTRIES).map((v) => sanitizeRemoteValue(v, opts, depth + 1))
  // fromEntries defines own properties, so a "__proto__" key stays a plain key.
  return Object.fromEntries(Object.entries(value).slice(0, VALUE_ENTRIES).map(([k, v]) => [text(k), sanitizeRemoteValue(v, opts, depth + 1)]))
}
