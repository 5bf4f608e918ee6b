// Status check "files": every directory and file setup deploys is there with the owner and mode setup
// gives it, and the rendered files hold what setup would write. A wrong mode or owner fails (a
// credential readable by others, or unreadable by the agent); content drift only warns.
import { createHash } from 'node:crypto'
import type { PathState } from '../../remote/parse-state.js'
import { credentialFile } from '../../render/bundle.js'
import { firstOf, ownerText, pass, problem, type Check, type CheckInput } from './check.js'
import type { DesiredDir } from '../../render/desired.js'

const sha256 = (content: Buffer | string): string => createHash('sha256').update(content).digest('hex')

// What is wrong with one path's type, owner or mode (undefined: nothing).
function ownerProblem(want: DesiredDir & { secret?: boolean }, have: PathState | undefined, kind: 'file' | 'dir'): string | undefined {
  if (!have || have.kind === 'missing') return `${want.path}: missing`
  if (have.kind !== kind) return `${want.path}: is a ${have.kind === 'other' ? have.type : have.kind}, not a ${kind === 'dir' ? 'directory' : 'file'}`
  if (have.mode === want.mode && have.uid === want.uid && have.gid === want.gid) return undefined
  const exposed = want.secret && (have.mode & 0o077) !== 0 ? ` (readable by ${(have.mode & 0o007) !== 0 ? 'everyone' : 'its group'})` : ''
  return `${want.path}: ${ownerText(have)}${exposed}, want ${ownerText(want)}`
}

// Fails on a missing path or a wrong owner/mode; warns on content drift.
export function checkFiles(input: CheckInput): Check {
  const { desired, facts, host } = input
  const paths = facts.state.paths
  const credentials = (['role-id', 'secret-id'] as const).map((name) => credentialFile(host.root, name, ''))
  const wrong: string[] = []
  for (const dir of desired.dirs) wrong.push(ownerProblem(dir, paths.get(dir.path), 'dir') ?? '')
  for (const file of [...desired.files, ...credentials]) wrong.push(ownerProblem(file, paths.get(file.path), 'file') ?? '')
  const failures = wrong.filter((w) => w !== '')
  // content is compared for rendered files only: credentials are compared with Vault by their own checks
  const drift = desired.files.filter((f) => {
    const have = paths.get(f.path)
    return have?.kind === 'file' && have.sha256 !== sha256(f.content)
  }).map((f) => `${f.path}: differs from what authctl setup would deploy`)
  const counted = `${desired.files.length + credentials.length} files and ${desired.dirs.length} directories`
  if (failures.length > 0) {
    return problem('files', 'fail', firstOf(failures), {
      hint: `authctl setup -l ${host.name} restores owners, modes and missing files.`, details: [...failures, ...drift],
    })
  }
  if (drift.length > 0) {
    return problem('files', 'warn', firstOf(drift), {
      hint: `authctl setup -l ${host.name} --check --diff shows the difference; authctl setup deploys it.`, details: drift,
    })
  }
  return pass('files', `${counted} as setup deploys them`)
}
