// Fetch the current content of files, base64 per line so any byte survives the trip: for --diff (only
// non-secret files) and for `status --login-test` (the credentials, kept in memory as Secret).
import { rootScript } from './sudo.js'

export const READ_FILES_SCRIPT = `for f do
  if [ -f "$f" ]; then printf '%s\\t' "$f"; base64 -w0 -- "$f"; echo; else printf '%s\\t-\\n' "$f"; fi
done
`

export function readFilesArgv(paths: readonly string[]): string[] {
  return rootScript('authctl-read', READ_FILES_SCRIPT, paths)
}

// path → content (undefined when the file does not exist).
export function parseReadFiles(stdout: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>()
  for (const line of stdout.split('\n')) {
    const tab = line.lastIndexOf('\t')
    if (tab < 0) continue
    const body = line.slice(tab + 1)
    out.set(line.slice(0, tab), body === '-' ? undefined : Buffer.from(body, 'base64').toString('utf8'))
  }
  return out
}
