import { describe, expect, it } from 'vitest'
import { Secret } from '../../../../src/util/secret.js'
import { fileDiff } from '../../../../src/plays/setup/diff.js'
import type { DesiredFile } from '../../../../src/render/desired.js'

const file = (content: string, secret = false): DesiredFile => ({ path: '/r/f', content, mode: 0o400, uid: 0, gid: 0, secret, restarts: 'agent' })

describe('fileDiff', () => {
  it('never shows the content of a secret file', () => {
    expect(fileDiff(file('SENTINEL-secret', true), undefined, [], true)).toBe('--- /r/f\n+++ /r/f\n@@ secret content replaced (value not shown) @@\n')
    expect(fileDiff(file('SENTINEL-secret', true), undefined, [], false)).toContain('secret content created')
  })

  it('shows changed lines of other files, masking any known secret value in them', () => {
    const d = fileDiff(file('a\ntoken=SENTINEL-xyz\n'), 'a\n', [new Secret('SENTINEL-xyz')], true)
    expect(d).toContain('+token=<redacted>')
    expect(d).not.toContain('SENTINEL')
    expect(d).toContain('--- /r/f\t(host)')
  })
})
