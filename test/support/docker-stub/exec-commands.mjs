// @ts-check
// The few commands `docker compose exec` and health checks can run in an emulated container:
// test, [, cat, stat -f -c %T, id, true, false, echo, sh -c "a && b".
import fs from 'node:fs'
import { resolvePath, access } from './container-view.mjs'
import { shellSplit } from './compose-normalize.mjs'

/** @typedef {{code: number, stdout: string, stderr: string}} ExecResult */
/** @typedef {{state: import('./store.mjs').ProjectState, container: import('./store.mjs').Container, who: import('./container-view.mjs').Identity}} ExecCtx */

const IMAGE_DIRS = new Set(['/', '/bin', '/etc', '/tmp', '/usr', '/var', '/dev', '/proc', '/root', '/home'])

/** @param {ExecCtx} ctx @param {string} p */
function statIn(ctx, p) {
  const r = resolvePath(ctx.state, ctx.container, p)
  if (!r) return IMAGE_DIRS.has(p.replace(/\/+$/, '') || '/') ? { r: null, st: /** @type {fs.Stats | null} */ (null), dirOnly: true } : null
  if (access(r, ctx.who, 0) !== 'ok') return null
  return { r, st: fs.statSync(r.host), dirOnly: false }
}

/** @param {ExecCtx} ctx @param {string[]} args @returns {ExecResult} */
function runTest(ctx, args) {
  const ok = (/** @type {boolean} */ b) => ({ code: b ? 0 : 1, stdout: '', stderr: '' })
  if (args.length === 1) return ok(args[0] !== '')
  const [flag, p = ''] = args
  const s = statIn(ctx, p)
  if (!s) return ok(false)
  if (s.dirOnly) return ok(flag === '-e' || flag === '-d' || flag === '-r' || flag === '-x')
  const st = /** @type {fs.Stats} */ (s.st)
  const r = /** @type {import('./container-view.mjs').Resolved} */ (s.r)
  switch (flag) {
    case '-e': return ok(true)
    case '-f': return ok(st.isFile())
    case '-d': return ok(st.isDirectory())
    case '-s': return ok(st.size > 0)
    case '-r': return ok(access(r, ctx.who, 4) === 'ok')
    case '-w': return ok(!r.readOnly && access(r, ctx.who, 2) === 'ok')
    case '-x': return ok(access(r, ctx.who, 1) === 'ok')
    default: return { code: 2, stdout: '', stderr: `test: unknown operator ${flag}\n` }
  }
}

/** @param {ExecCtx} ctx @param {string[]} files @returns {ExecResult} */
function runCat(ctx, files) {
  let stdout = ''
  let stderr = ''
  let code = 0
  for (const f of files) {
    const r = resolvePath(ctx.state, ctx.container, f)
    const a = r ? access(r, ctx.who, 4) : 'ENOENT'
    if (!r || a !== 'ok') {
      stderr += `cat: ${f}: ${a === 'EACCES' ? 'Permission denied' : 'No such file or directory'}\n`
      code = 1
    } else if (fs.statSync(r.host).isDirectory()) {
      stderr += `cat: ${f}: Is a directory\n`
      code = 1
    } else stdout += fs.readFileSync(r.host, 'utf8')
  }
  return { code, stdout, stderr }
}

// Runs argv in the container's view; unknown programs fail like runc's exec.
/** @param {ExecCtx} ctx @param {string[]} argv @returns {ExecResult} */
export function runInContainer(ctx, argv) {
  const [prog = '', ...args] = argv
  const name = prog.split('/').pop() ?? ''
  if (name === 'sh' || name === 'bash' || name === 'ash') {
    if (args[0] !== '-c' || args[1] === undefined) return { code: 2, stdout: '', stderr: `${name}: only -c is emulated\n` }
    /** @type {ExecResult} */
    let last = { code: 0, stdout: '', stderr: '' }
    let stdout = ''
    for (const part of args[1].split('&&')) {
      last = runInContainer(ctx, shellSplit(part.trim()))
      stdout += last.stdout
      if (last.code !== 0) break
    }
    return { ...last, stdout }
  }
  if (name === 'test') return runTest(ctx, args)
  if (name === '[') return args[args.length - 1] === ']' ? runTest(ctx, args.slice(0, -1)) : { code: 2, stdout: '', stderr: '[: missing ]\n' }
  if (name === 'cat') return runCat(ctx, args)
  if (name === 'true') return { code: 0, stdout: '', stderr: '' }
  if (name === 'false') return { code: 1, stdout: '', stderr: '' }
  if (name === 'echo') return { code: 0, stdout: `${args.join(' ')}\n`, stderr: '' }
  if (name === 'id') {
    if (args[0] === '-u') return { code: 0, stdout: `${ctx.who.uid}\n`, stderr: '' }
    if (args[0] === '-g') return { code: 0, stdout: `${ctx.who.gid}\n`, stderr: '' }
    return { code: 0, stdout: `uid=${ctx.who.uid} gid=${ctx.who.gid}\n`, stderr: '' }
  }
  if (name === 'stat' && args[0] === '-f' && args[1] === '-c' && args[2] === '%T' && args[3]) {
    const p = args[3]
    const r = resolvePath(ctx.state, ctx.container, p)
    if (!r) return { code: 0, stdout: 'overlayfs\n', stderr: '' }
    if (access(r, ctx.who, 0) !== 'ok') return { code: 1, stdout: '', stderr: `stat: cannot read file system information for '${p}': No such file or directory\n` }
    return { code: 0, stdout: r.tmpfs ? 'tmpfs\n' : 'ext2/ext3\n', stderr: '' }
  }
  return {
    code: 126,
    stdout: '',
    stderr: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${prog}": executable file not found in $PATH: unknown\n`,
  }
}
