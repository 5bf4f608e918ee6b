// @ts-check
// A container's view of the filesystem: its user, and container paths mapped through binds and volumes.
import fs from 'node:fs'
import path from 'node:path'
import { stubPaths } from './paths.mjs'

/** @typedef {{uid: number, gid: number, groups: number[]}} Identity */
/** @typedef {import('./compose-normalize.mjs').Mount} Mount */
/** @typedef {{host: string, mountRoot: string, mount: Mount, tmpfs: boolean, readOnly: boolean}} Resolved */

// Users the images know (reference §1.3, §2): vault is 100:1000, authentik 1000:1000.
/** @type {Record<string, {uid: number, gid: number}>} */
const PASSWD = { root: { uid: 0, gid: 0 }, vault: { uid: 100, gid: 1000 }, authentik: { uid: 1000, gid: 1000 } }

// The identity the main process runs as: `user:` if set, else the image's default (vault drops to uid 100).
/** @param {import('./compose-normalize.mjs').Service} spec @param {string | null} [override] exec -u @returns {Identity} */
export function resolveIdentity(spec, override = null) {
  const user = override ?? spec.user
  if (user === null || user === '') {
    if (/(^|\/)vault(:|@|$)/.test(spec.image)) return { uid: 100, gid: 1000, groups: [1000] }
    if (/goauthentik\/server/.test(spec.image)) return { uid: 1000, gid: 1000, groups: [1000] }
    return { uid: 0, gid: 0, groups: [0] }
  }
  const [u = '', g] = user.split(':')
  const byName = PASSWD[u]
  const byUid = Object.values(PASSWD).find((p) => String(p.uid) === u)
  const uid = byName ? byName.uid : /^\d+$/.test(u) ? Number(u) : NaN
  if (Number.isNaN(uid)) throw new Error(`unable to find user ${u}: no matching entries in passwd file`)
  const gid = g === undefined ? (byName ?? byUid)?.gid ?? 0 : /^\d+$/.test(g) ? Number(g) : PASSWD[g]?.gid ?? NaN
  if (Number.isNaN(gid)) throw new Error(`unable to find group ${g}: no matching entries in group file`)
  return { uid, gid, groups: [gid] }
}

// Host folder of a non-bind mount (named volume, anonymous volume or per-container tmpfs).
/** @param {import('./store.mjs').ProjectState} state @param {import('./store.mjs').Container} c @param {Mount} m @param {number} idx */
export function mountSource(state, c, m, idx) {
  if (m.type === 'bind') return m.source
  if (m.type === 'volume' && m.source) return stubPaths().volume(state.volumes[m.source]?.name ?? `${state.name}_${m.source}`)
  return stubPaths().volume(`${c.name}_${m.type}${idx}`)
}

// True when the mount is a tmpfs: service tmpfs, or a named volume with driver_opts type=tmpfs.
/** @param {import('./store.mjs').ProjectState} state @param {Mount} m */
export function isTmpfsMount(state, m) {
  return m.type === 'tmpfs' || (m.type === 'volume' && state.volumes[m.source]?.driverOpts.type === 'tmpfs')
}

// Maps a container path through the longest matching mount; null for the image's own filesystem.
/** @param {import('./store.mjs').ProjectState} state @param {import('./store.mjs').Container} c @param {string} cpath @returns {Resolved | null} */
export function resolvePath(state, c, cpath) {
  const p = path.posix.resolve('/', cpath)
  let best = -1
  let bestLen = -1
  c.spec.mounts.forEach((m, i) => {
    const t = path.posix.resolve('/', m.target)
    if ((p === t || p.startsWith(t === '/' ? '/' : `${t}/`)) && t.length > bestLen) {
      best = i
      bestLen = t.length
    }
  })
  const mount = c.spec.mounts[best]
  if (!mount) return null
  const mountRoot = mountSource(state, c, mount, best)
  const rel = path.posix.relative(path.posix.resolve('/', mount.target), p)
  return { host: path.join(mountRoot, rel), mountRoot, mount, tmpfs: isTmpfsMount(state, mount), readOnly: mount.readOnly }
}

/** @param {fs.Stats} st @param {Identity} who @param {number} bits 4 r, 2 w, 1 x */
function permits(st, who, bits) {
  if (who.uid === 0) return true
  if (st.uid === who.uid) return ((st.mode >> 6) & bits) === bits
  if (who.groups.includes(st.gid) || st.gid === who.gid) return ((st.mode >> 3) & bits) === bits
  return (st.mode & bits) === bits
}

// What open(2) would say for this user: 'ok', 'ENOENT' or 'EACCES' (directories below the mount need x).
/** @param {Resolved} r @param {Identity} who @param {number} bits on the final path @returns {'ok' | 'ENOENT' | 'EACCES'} */
export function access(r, who, bits) {
  const rel = path.relative(r.mountRoot, r.host)
  let dir = r.mountRoot
  const parts = rel === '' ? [] : rel.split(path.sep)
  for (const part of parts.slice(0, -1)) {
    const st = fs.statSync(dir, { throwIfNoEntry: false })
    if (!st) return 'ENOENT'
    if (!permits(st, who, 1)) return 'EACCES'
    dir = path.join(dir, part)
  }
  if (parts.length > 0) {
    const st = fs.statSync(dir, { throwIfNoEntry: false })
    if (!st) return 'ENOENT'
    if (!permits(st, who, 1)) return 'EACCES'
  }
  const st = fs.statSync(r.host, { throwIfNoEntry: false })
  if (!st) return 'ENOENT'
  return bits === 0 || permits(st, who, bits) ? 'ok' : 'EACCES'
}
