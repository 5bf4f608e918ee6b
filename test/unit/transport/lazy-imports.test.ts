import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// ssh2 (~130 ms) and execa (~100 ms) must load only when a command connects or spawns, so that
// `authctl --help` stays fast: transport and local-process modules may import their types, never their values.
describe('transport imports heavy libraries lazily', () => {
  const src = join(import.meta.dirname, '../../../src')
  const files = ['transport', 'local-process'].flatMap((d) => readdirSync(join(src, d)).filter((f) => f.endsWith('.ts')).map((f) => `${d}/${f}`))

  it.each(files)('%s has no static value import of ssh2, node-ssh or execa', (file) => {
    const text = readFileSync(join(src, file), 'utf8')
    expect(text).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+'(ssh2|node-ssh|execa)'/m)
  })

  it('the dynamic imports are where the work starts', () => {
    expect(readFileSync(join(src, 'transport/ssh-host.ts'), 'utf8')).toContain("await import('ssh2')")
    expect(readFileSync(join(src, 'local-process/run-local.ts'), 'utf8')).toContain("await import('execa')")
  })
})
