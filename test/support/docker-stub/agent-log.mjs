// @ts-check
// go-hclog's plain format, as Vault Agent writes it: "<time> [INFO]  module: msg: key=val ...".

const TAGS = { INFO: '[INFO] ', WARN: '[WARN] ', ERROR: '[ERROR]', DEBUG: '[DEBUG]' }

/** @param {string} s */
function needsQuoting(s) {
  return /[\s"]|[^\x20-\x7e\u00a0-\uffff]/.test(s)
}

/** @param {string} s escapes non-printables (and quotes when asked) like hclog's writeEscapedForOutput */
function escapeForOutput(s, quotes = true) {
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  return s.replace(/[\x00-\x1f\x7f"]/g, (c) => {
    if (c === '"') return quotes ? '\\"' : '"'
    const named = /** @type {Record<string, string>} */ ({ '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\x07': '\\a' })
    return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
}

// One log entry as the lines it occupies; multi-line values continue on "  | " lines (intlogger.go).
/** @param {keyof typeof TAGS} level @param {string} module @param {string} msg @param {Array<[string, string]>} [kv] @param {Date} [now] @returns {string[]} */
export function hclog(level, module, msg, kv = [], now = new Date()) {
  let out = `${now.toISOString()} ${TAGS[level]} ${module}: ${msg}`
  if (kv.length > 0) out += ':'
  for (const [key, val] of kv) {
    if (val.includes('\n')) {
      out += `\n  ${key}=\n`
      const lines = val.split('\n')
      if (lines[lines.length - 1] === '') lines.pop()
      for (const l of lines) out += `  | ${escapeForOutput(l, false)}\n`
      out += '  '
    } else if (val === '') {
      out += ` ${key}=""`
    } else if (needsQuoting(val)) {
      out += ` ${key}="${escapeForOutput(val)}"`
    } else {
      out += ` ${key}=${val}`
    }
  }
  return out.split('\n')
}
