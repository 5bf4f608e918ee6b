// glob(3) for Include lines: `*`, `?` and `[...]` per path segment, dotfiles only when the pattern
// starts with a dot, results sorted; a pattern matching nothing yields nothing, as ssh skips it.
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

const MAGIC = /[*?[]/

function segmentRegExp(segment: string): RegExp {
  let source = ''
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string
    if (ch === '*') source += '[^/]*'
    else if (ch === '?') source += '[^/]'
    else if (ch === '[' && segment.indexOf(']', i + 2) > 0) {
      const end = segment.indexOf(']', i + 2)
      const body = segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')
      source += `[${body}]`
      i = end
    } else source += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 's')
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

async function listDir(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [])
}

// Expands an absolute pattern into the existing paths it names, sorted like glob(3).
export async function globPaths(pattern: string): Promise<string[]> {
  const segments = pattern.split('/').filter((s) => s !== '')
  let bases = ['/']
  for (const segment of segments) {
    const next: string[] = []
    for (const base of bases) {
      if (!MAGIC.test(segment)) {
        next.push(join(base, segment))
        continue
      }
      const re = segmentRegExp(segment)
      for (const name of await listDir(base)) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue
        if (re.test(name)) next.push(join(base, name))
      }
    }
    bases = next
  }
  const found: string[] = []
  for (const path of bases) if (await exists(path)) found.push(path)
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
