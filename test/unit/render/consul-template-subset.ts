// A tiny consul-template for the subset our .env.tpl uses (with secret "P" / end / .Data.data.KEY /
// `| replaceAll "a" "b"` / trim markers), with Go's string-literal rules, so tests can render the
// template the way Vault Agent would. Anything outside the subset throws.

const GO_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' }

// strconv.Unquote for a double-quoted Go string starting at `src[start]`; returns value and end index.
export function readGoString(src: string, start: number): { value: string; end: number } {
  if (src[start] !== '"') throw new Error(`expected a string at ${start}`)
  let value = ''
  let i = start + 1
  for (;;) {
    const c = src[i]
    if (c === undefined || c === '\n') throw new Error('unterminated quoted string')
    if (c === '"') return { value, end: i + 1 }
    if (c !== '\\') {
      value += c
      i++
      continue
    }
    const e = src[i + 1] ?? ''
    const hexLength = { x: 2, u: 4, U: 8 }[e]
    if (GO_ESCAPES[e] !== undefined) {
      value += GO_ESCAPES[e]
      i += 2
    } else if (hexLength !== undefined) {
      const hex = src.slice(i + 2, i + 2 + hexLength)
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength) throw new Error(`bad \\${e} escape`)
      value += String.fromCodePoint(parseInt(hex, 16))
      i += 2 + hexLength
    } else if (/^[0-7]{3}$/.test(src.slice(i + 1, i + 4))) {
      value += String.fromCharCode(parseInt(src.slice(i + 1, i + 4), 8))
      i += 4
    } else {
      throw new Error(`unknown escape sequence \\${e}`)
    }
  }
}

type Secrets = Readonly<Record<string, Readonly<Record<string, string>>>>

// Renders `template` with KV v2 data by path: secrets['secret/data/x'] = { key: value }.
export function renderSubset(template: string, secrets: Secrets): string {
  let out = ''
  let i = 0
  const scope: (Readonly<Record<string, string>> | null)[] = [] // null: inside a skipped `with`
  const active = () => !scope.includes(null)
  let trimNext = false
  while (i < template.length) {
    const open = template.indexOf('{{', i)
    let text = template.slice(i, open === -1 ? template.length : open)
    if (trimNext) text = text.replace(/^\s+/, '')
    if (open === -1) {
      if (active()) out += text
      break
    }
    let p = open + 2
    const trimBefore = template.startsWith('- ', p)
    if (trimBefore) {
      text = text.replace(/\s+$/, '')
      p += 2
    }
    if (active()) out += text
    // Read the action's words, strings as Go literals, up to ` -}}` or `}}`.
    const words: string[] = []
    trimNext = false
    for (;;) {
      while (template[p] === ' ') p++
      if (template.startsWith('-}}', p)) {
        trimNext = true
        p += 3
        break
      }
      if (template.startsWith('}}', p)) {
        p += 2
        break
      }
      if (template[p] === '"') {
        const s = readGoString(template, p)
        words.push(JSON.stringify(s.value))
        p = s.end
        continue
      }
      const word = /^[^\s"}]+/.exec(template.slice(p))?.[0]
      if (word === undefined) throw new Error(`unexpected ${JSON.stringify(template.slice(p, p + 10))}`)
      words.push(word)
      p += word.length
    }
    i = p
    const lit = (w: string | undefined) => {
      if (w === undefined || !w.startsWith('"')) throw new Error(`expected a string, got ${w}`)
      return JSON.parse(w) as string
    }
    if (words[0] === 'with' && words[1] === 'secret' && words.length === 3) {
      const data = secrets[lit(words[2])]
      if (data === undefined) throw new Error(`no secret exists at ${lit(words[2])}`)
      scope.push(active() ? data : null)
    } else if (words[0] === 'end' && words.length === 1) {
      if (scope.pop() === undefined) throw new Error('unexpected {{end}}')
    } else if (words[0]?.startsWith('.Data.data.')) {
      const data = scope.at(-1)
      if (data === undefined) throw new Error('.Data outside with')
      if (data === null) continue
      const key = words[0].slice('.Data.data.'.length)
      let value = data[key]
      if (value === undefined) throw new Error(`missing key ${key}`)
      for (let w = 1; w < words.length; w += 4) {
        if (words[w] !== '|' || words[w + 1] !== 'replaceAll') throw new Error(`unsupported pipe ${words[w + 1]}`)
        const to = lit(words[w + 3])
        value = value.replaceAll(lit(words[w + 2]), () => to)
      }
      out += value
    } else {
      throw new Error(`action outside the subset: {{${words.join(' ')}}}`)
    }
  }
  if (scope.length > 0) throw new Error('unclosed with')
  return out
}
