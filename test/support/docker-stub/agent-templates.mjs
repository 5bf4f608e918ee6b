// @ts-check
// Agent templating: fetch every `secret` a template uses with the agent token, render, and write the
// destination atomically with `perms`, logging "rendered" only when the content changed (renderer.go).
import process from 'node:process'
import fs from 'node:fs'
import path from 'node:path'
import { resolvePath, access } from './container-view.mjs'
import { hclog } from './agent-log.mjs'
import { vaultRequest, responseErrorText } from './vault-http.mjs'
import { parseTemplate, secretPaths } from './template-parse.mjs'
import { execTemplate } from './template-exec.mjs'

/** @typedef {import('./agent-auth.mjs').AgentCtx} AgentCtx */

// GET /v1/<path> as consul-template's vault.read; a 404 without data is "no secret exists".
/** @param {string} address @param {string} token @param {string} p @param {Buffer | undefined} ca */
async function readSecret(address, token, p, ca) {
  const url = `${address.replace(/\/+$/, '')}/v1/${p.replace(/^\/+/, '')}`
  const res = await vaultRequest('GET', url, { token, ca })
  const body = /** @type {Record<string, unknown>} */ (typeof res.body === 'object' && res.body !== null ? res.body : {})
  const data = /** @type {Record<string, unknown> | null} */ (body.data ?? null)
  if (res.status === 404 && (data === null || (typeof data === 'object' && data.data === null))) throw new Error(`no secret exists at ${p}`)
  if (res.status >= 400) throw new Error(`vault.read(${p}): ${responseErrorText('GET', url.split('?')[0] ?? url, res)}`)
  return { Data: data, LeaseID: body.lease_id ?? '', LeaseDuration: body.lease_duration ?? 0, Renewable: body.renewable ?? false, Warnings: body.warnings ?? null }
}

// Renders one template; logs Agent's lines and never the values.
/** @param {AgentCtx} ctx @param {import('./agent-config.mjs').TemplateConfig} t @param {string} address @param {string} token @param {Buffer | undefined} ca */
async function renderOne(ctx, t, address, token, ca) {
  const display = t.contents !== null && !t.source ? '(dynamic)' : t.source
  const runnerError = (/** @type {string} */ msg) =>
    ctx.log(hclog('ERROR', 'agent', `(runner) error rendering "${display}" => "${t.destination}": ${msg}`))
  let src = t.contents ?? ''
  if (t.source) {
    const r = resolvePath(ctx.state, ctx.container, t.source)
    const ok = r ? access(r, ctx.who, 4) : 'ENOENT'
    if (!r || ok !== 'ok') return runnerError(`failed reading file: open ${t.source}: ${ok === 'EACCES' ? 'permission denied' : 'no such file or directory'}`)
    src = fs.readFileSync(r.host, 'utf8')
  }
  let tree
  try {
    tree = parseTemplate(src)
  } catch (err) {
    return runnerError(`parse: template: ${display}:${/** @type {Error} */ (err).message}`)
  }
  /** @type {Map<string, unknown>} */
  const secrets = new Map()
  for (const p of secretPaths(tree)) {
    try {
      secrets.set(p, await readSecret(address, token, p, ca))
    } catch (err) {
      ctx.log(hclog('ERROR', 'agent', `(view) vault.read(${p}): ${/** @type {Error} */ (err).message} (retry attempt 1 after "250ms")`))
      return undefined
    }
  }
  let out
  try {
    out = execTemplate(tree, { name: display, errorOnMissingKey: t.errorOnMissingKey, secret: (p) => secrets.get(p) })
  } catch (err) {
    return runnerError(`template: ${display}: ${/** @type {Error} */ (err).message}`)
  }
  const dest = resolvePath(ctx.state, ctx.container, t.destination)
  if (!dest) return runnerError(`failed writing file: open ${t.destination}: read-only file system`)
  const existing = fs.statSync(dest.host, { throwIfNoEntry: false })
  if (existing && fs.readFileSync(dest.host, 'utf8') === out) return undefined
  const dir = path.dirname(dest.host)
  if (dest.readOnly) return runnerError(`failed writing file: open ${t.destination}: read-only file system`)
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true })
  if (access({ ...dest, host: dir }, ctx.who, 3) !== 'ok') return runnerError(`failed writing file: open ${t.destination}: permission denied`)
  const tmp = path.join(dir, `.${path.basename(dest.host)}.${process.pid}.tmp`)
  fs.writeFileSync(tmp, out, { mode: 0o600 })
  fs.chmodSync(tmp, t.perms ?? (existing ? existing.mode & 0o7777 : 0o644))
  if (process.getuid?.() === 0) fs.chownSync(tmp, ctx.who.uid, ctx.who.gid)
  fs.renameSync(tmp, dest.host)
  ctx.log(hclog('INFO', 'agent', `(runner) rendered "${display}" => "${t.destination}"`))
  return undefined
}

// Renders every template of the config in order (consul-template runs them independently).
/** @param {AgentCtx} ctx @param {import('./agent-config.mjs').AgentConfig} cfg @param {string} address @param {string} token @param {Buffer | undefined} ca */
export async function renderTemplates(ctx, cfg, address, token, ca) {
  if (cfg.templates.length === 0) return
  ctx.log(hclog('INFO', 'agent.template.server', 'template server received new token'))
  ctx.log(hclog('INFO', 'agent', '(runner) starting'))
  for (const t of cfg.templates) await renderOne(ctx, t, address, token, ca)
}
