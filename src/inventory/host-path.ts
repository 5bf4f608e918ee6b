// Path variables, checked once for every command: a deploy root is made root-owned 0755 and filled
// by root, so it must be a folder of the stack's own, never a system directory or a parent of one.
import { BugError } from '../errors.js'

declare const deployRoot: unique symbol
// A deploy root that passed deployRootProblem: lock, setup and render take only this.
export type DeployRoot = string & { readonly [deployRoot]: true }

// Folders whose whole tree belongs to the system (virtual, volatile, or the OS's own).
const SYSTEM_TREES = [
  '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/lost+found', '/proc', '/run', '/sbin',
  '/snap', '/sys', '/tmp', '/usr', '/var/cache', '/var/lib/containerd', '/var/lib/docker', '/var/lock', '/var/log',
  '/var/mail', '/var/run', '/var/spool', '/var/tmp',
]
// Folders that are shared by design: the root may sit below them, never be one (or hold one).
const SYSTEM_DIRS = ['/', '/home', '/root', '/opt', '/srv', '/mnt', '/media', '/var', '/var/lib', '/var/opt', '/var/local', '/var/backups']

const within = (path: string, dir: string) => path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`)

// Why a path value cannot be taken literally, or undefined: authctl expands nothing, so `$`, globs
// and `..` only ever mean a mistake (or an attack), and control characters corrupt every output.
export function pathTextProblem(value: string): string | undefined {
  if (/[\p{Cc}\u2028\u2029]/u.test(value)) return 'must not contain control characters'
  if (value.includes('$')) return 'must not contain $ (authctl expands no variables: write the path out)'
  if (/[*?[\]{}]/.test(value)) return 'must not contain glob characters * ? [ ] { } (authctl expands no patterns)'
  if (value.split('/').includes('..')) return 'must not contain .. segments'
  return undefined
}

// The root without trailing slashes (but `/` stays `/`).
function trimmed(value: string): string {
  return value.replace(/(.)\/+$/, '$1')
}

// Why `value` cannot be a deploy root on a host, or undefined when it can (trailing slashes allowed).
export function deployRootProblem(value: string): string | undefined {
  const text = pathTextProblem(value)
  if (text !== undefined) return text
  const path = trimmed(value)
  if (!path.startsWith('/')) return 'must be an absolute path such as /data/authentik'
  if (path !== '/' && path.slice(1).split('/').some((s) => s === '' || s === '.')) return 'must not contain empty or . segments'
  const tree = SYSTEM_TREES.find((dir) => within(path, dir))
  if (tree !== undefined) return `is inside ${tree}, which belongs to the system; give the stack a folder of its own such as /data/authentik`
  const held = [...SYSTEM_DIRS, ...SYSTEM_TREES].find((dir) => within(dir, path))
  if (held !== undefined || /^\/home\/[^/]+$/.test(path)) {
    return `is a system directory or holds one (${held ?? 'a home directory'}); give the stack a folder of its own such as /data/authentik`
  }
  if (!/^(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$/.test(path)) return 'may only use letters, digits and _ . - in folder names (not starting with . or -)'
  return undefined
}

// Brands a value that passes deployRootProblem, trailing slashes removed; anything else is our bug.
export function asDeployRoot(value: string): DeployRoot {
  const problem = deployRootProblem(value)
  if (problem !== undefined) throw new BugError(`deploy root ${JSON.stringify(value)} was not validated: ${problem}`)
  return trimmed(value) as DeployRoot
}
