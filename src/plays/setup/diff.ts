// Unified diffs for --diff: secret files show only that they change, never a value; other files
// show their lines with any known secret value masked anyway.
import { createTwoFilesPatch } from 'diff'
import { redact, type Secret } from '../../util/secret.js'
import type { DesiredFile } from '../../render/desired.js'

// `existed` comes from the state read (secret files are never fetched, so `before` is unknown for them).
export function fileDiff(file: DesiredFile, before: string | undefined, secrets: readonly Secret[], existed: boolean): string {
  if (file.secret) return `--- ${file.path}\n+++ ${file.path}\n@@ secret content ${existed ? 'replaced' : 'created'} (value not shown) @@\n`
  const after = typeof file.content === 'string' ? file.content : file.content.toString('utf8')
  const patch = createTwoFilesPatch(file.path, file.path, before ?? '', after, before === undefined ? '(absent)' : '(host)', '(desired)')
  return redact(patch, secrets)
}
