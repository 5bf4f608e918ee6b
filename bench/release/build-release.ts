// `npm run release` (after `npm run build`): writes release/ with
//   authctl-<version>.tgz                      the npm package (`npm pack`), for `npm install -g`
//   authctl-<version>-<platform>-<arch>.tar.gz  self-contained: dist/, templates/, the manifest, the production
//                                             node_modules and the Node runtime this runs on, in oclif's
//                                             `pack tarballs` layout (authctl/bin/authctl runs authctl/bin/node)
//   SHA256SUMS                                 for `sha256sum -c`
// Offline: the runtime is process.execPath and the modules are the installed ones (`oclif pack tarballs`
// downloads Node from nodejs.org and verifies it there, so it cannot run without that site).
// Reproducible: entries sorted, owner 0, mtime of the commit, gzip without a timestamp.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { createGzip } from 'node:zlib'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

// The launcher: follows a symlink such as /usr/local/bin/authctl back to its folder, then runs the
// runtime shipped beside it, never a `node` from PATH.
export const LAUNCHER = `#!/bin/sh
set -e
self=$(readlink -f -- "$0")
dir=\${self%/*}
exec "$dir/node" "$dir/run.js" "$@"
`

// What a built file's name says about the machine it runs on.
export const tarballName = (version: string) => `authctl-${version}-${process.platform}-${process.arch}.tar.gz`

function run(file: string, args: readonly string[], cwd = repoRoot): string {
  const r = spawnSync(file, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${String(r.status)}): ${r.stderr}`)
  return r.stdout
}

// Build outputs are never dev or type files at run time: source maps and declarations stay behind.
const shipped = (path: string) => !/\.(map|d\.[cm]?ts)$/.test(path) && !path.includes('/build/Release/obj.target') && !path.includes('/build/Release/.deps')

// The production dependency tree as npm resolved it here (`npm ls --omit=dev`), copied package by
// package (each without its nested node_modules, which npm lists on their own).
async function copyProductionModules(packageRoot: string): Promise<number> {
  const dirs = run('npm', ['ls', '--omit=dev', '--all', '--parseable']).split('\n').filter((d) => d !== '' && d !== repoRoot)
  for (const dir of dirs) {
    const rel = relative(repoRoot, dir)
    if (!rel.startsWith('node_modules/')) throw new Error(`unexpected package folder ${dir}`)
    await cp(dir, join(packageRoot, rel), {
      recursive: true,
      filter: (src) => (src === dir || relative(dir, src).split('/')[0] !== 'node_modules') && shipped(src),
    })
  }
  return dirs.length
}

// package.json as the installed CLI needs it: what oclif and Node read, no scripts or dev dependencies.
function runtimePackageJson(pjson: Record<string, unknown>): string {
  const keep = ['name', 'version', 'description', 'type', 'bin', 'engines', 'oclif', 'dependencies']
  return JSON.stringify(Object.fromEntries(keep.filter((k) => k in pjson).map((k) => [k, pjson[k]])), null, 2) + '\n'
}

// The commit's time, as every entry's mtime (a source tree without git: undefined, and now is used).
function commitTime(): string | undefined {
  const r = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  return r.status === 0 && /^\d+$/.test(r.stdout.trim()) ? r.stdout.trim() : undefined
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(file), hash)
  return hash.digest('hex')
}

async function stage(dir: string, pjson: Record<string, unknown>): Promise<number> {
  const top = join(dir, 'authctl')
  await mkdir(join(top, 'bin'), { recursive: true })
  await cp(join(repoRoot, 'dist'), join(top, 'dist'), { recursive: true, filter: shipped })
  await cp(join(repoRoot, 'templates'), join(top, 'templates'), { recursive: true })
  for (const file of ['oclif.manifest.json', 'README.md']) await copyFile(join(repoRoot, file), join(top, file))
  await writeFile(join(top, 'package.json'), runtimePackageJson(pjson))
  await copyFile(join(repoRoot, 'bin/run.js'), join(top, 'bin/run.js'))
  await copyFile(process.execPath, join(top, 'bin/node'))
  await writeFile(join(top, 'bin/authctl'), LAUNCHER)
  await Promise.all(['bin/authctl', 'bin/node', 'bin/run.js'].map((f) => chmod(join(top, f), 0o755)))
  return copyProductionModules(top)
}

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out')
  const out = resolve(outIndex > 0 ? process.argv[outIndex + 1]! : join(repoRoot, 'release'))
  for (const needed of ['dist/help.txt', 'dist/commit.txt', 'oclif.manifest.json']) {
    await stat(join(repoRoot, needed)).catch(() => {
      throw new Error(`${needed} is missing: run npm run build first (npm run release does)`)
    })
  }
  const pjson = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown> & { version: string }
  await rm(out, { recursive: true, force: true })
  await mkdir(out, { recursive: true })

  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out])) as { filename: string }[]
  const npmTarball = basename(packed[0]!.filename)

  const work = await mkdtemp(join(tmpdir(), 'authctl-release-'))
  try {
    const modules = await stage(work, pjson)
    const mtime = commitTime() ?? String(Math.floor(Date.now() / 1000))
    const tarball = tarballName(pjson.version)
    const tar = spawnSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${mtime}`, '-C', work, '-cf', join(work, 'authctl.tar'), 'authctl'], { stdio: 'inherit' })
    if (tar.status !== 0) throw new Error(`tar failed (exit ${String(tar.status)})`)
    await pipeline(createReadStream(join(work, 'authctl.tar')), createGzip({ level: 6 }), createWriteStream(join(out, tarball)))
    const sums = await Promise.all([npmTarball, tarball].map(async (f) => `${await sha256(join(out, f))}  ${f}\n`))
    await writeFile(join(out, 'SHA256SUMS'), sums.join(''))
    for (const f of [npmTarball, tarball]) process.stdout.write(`${join(relative(process.cwd(), out) || '.', f)}  ${((await stat(join(out, f))).size / 1048576).toFixed(1)} MiB\n`)
    process.stdout.write(`(${modules} production packages, Node ${process.version} from ${process.execPath}; checksums in SHA256SUMS)\n`)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
