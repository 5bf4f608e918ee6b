// `npm run bench:release [-- --runs N] [--build]`: what the self-contained release costs an operator.
// Sizes of release/'s files and of the unpacked tarball (runtime, modules, our code), and cold starts of
// the unpacked authctl (through its launcher and bundled Node) against `node -e ''`, in alternating
// rounds. Writes results/release.md and results/data/release.json.
import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { machineInfo, uptimeLine } from '../lib/machine.js'
import { measure } from '../lib/proc.js'
import { median } from '../lib/stats.js'
import { tarballName } from './build-release.js'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const resultsDir = join(repoRoot, 'bench/results')

function sh(file: string, args: string[]): string {
  const r = spawnSync(file, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${String(r.status)})`)
  return r.stdout
}

const bytes = (path: string) => Number(sh('du', ['-sb', path]).split('\t')[0])
const mib = (n: number) => (n / 1048576).toFixed(1)

interface Start { id: string; label: string; file: string; args: string[] }

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const runs = Number(argv[argv.indexOf('--runs') + 1]) || 20
  if (argv.includes('--build')) sh('npm', ['run', 'release'])
  const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
  const release = join(repoRoot, 'release')
  const tarball = join(release, tarballName(version))
  const npmTarball = join(release, `authctl-${version}.tgz`)
  await stat(tarball).catch(() => {
    throw new Error(`${tarball} is missing: npm run release first (or pass --build)`)
  })
  const dir = await mkdtemp(join(tmpdir(), 'authctl-bench-release-'))
  try {
    sh('tar', ['-xzf', tarball, '-C', dir])
    const top = join(dir, 'authctl')
    const sizes = {
      tarball: (await stat(tarball)).size,
      npmTarball: (await stat(npmTarball)).size,
      unpacked: bytes(top),
      node: bytes(join(top, 'bin/node')),
      nodeModules: bytes(join(top, 'node_modules')),
      ours: bytes(join(top, 'dist')) + bytes(join(top, 'templates')) + bytes(join(top, 'oclif.manifest.json')),
    }
    const authctl = join(top, 'bin/authctl')
    const inventory = join(repoRoot, 'inventory/hosts.ini')
    const starts: Start[] = [
      { id: 'node', label: "node -e '' (the build machine's Node)", file: process.execPath, args: ['-e', ''] },
      { id: 'bundled-node', label: "bin/node -e '' (the bundled copy)", file: join(top, 'bin/node'), args: ['-e', ''] },
      { id: 'help', label: 'authctl --help', file: authctl, args: ['--help'] },
      { id: 'version', label: 'authctl --version', file: authctl, args: ['--version'] },
      { id: 'command-help', label: 'authctl setup --help (loads oclif)', file: authctl, args: ['setup', '--help'] },
      { id: 'inventory', label: 'authctl inventory --list (loads oclif and the inventory)', file: authctl, args: ['inventory', '--list', '-i', inventory] },
      { id: 'tab-limit', label: 'Tab after authctl setup -l (authctl __complete)', file: authctl, args: ['__complete', 'setup', '-i', inventory, '-l', ''] },
    ]
    const env = { PATH: '/usr/bin:/bin', HOME: dir, NO_COLOR: '1' }
    const samples = new Map<string, number[]>(starts.map((s) => [s.id, []]))
    const rss = new Map<string, number[]>(starts.map((s) => [s.id, []]))
    const uptimeAtStart = uptimeLine()
    for (let round = 0; round < runs; round++) {
      for (const s of round % 2 === 0 ? starts : [...starts].reverse()) {
        const m = await measure(s.file, s.args, { env, timeoutMs: 30_000, cwd: dir })
        if (m.code !== 0) throw new Error(`${s.label} failed (exit ${String(m.code)}): ${m.stderr}`)
        samples.get(s.id)!.push(m.wallMs)
        if (m.maxRssKb !== undefined) rss.get(s.id)!.push(m.maxRssKb)
      }
    }
    const base = median(samples.get('node')!)
    const rows = starts.map((s) => {
      const ms = samples.get(s.id)!
      const peak = rss.get(s.id)!
      return { id: s.id, label: s.label, n: ms.length, medianMs: Math.round(median(ms)), minMs: Math.round(Math.min(...ms)), maxMs: Math.round(Math.max(...ms)), overNodeMs: Math.round(median(ms) - base), peakRssMiB: peak.length ? Math.round(Math.max(...peak) / 1024) : undefined }
    })
    const machine = { ...machineInfo(), uptimeAtStart, uptimeAtEnd: uptimeLine() }
    await mkdir(join(resultsDir, 'data'), { recursive: true })
    await writeFile(join(resultsDir, 'data/release.json'), JSON.stringify({ version, date: new Date().toISOString(), machine, sizes, rows }, null, 2) + '\n')
    const md = [
      '# The release: size and cold start',
      '',
      `Measured by \`npm run bench:release\` (bench/release/measure.ts) on ${new Date().toISOString().slice(0, 10)}: ${machine.cores} × ${machine.cpuModel}, ${machine.node}; load at start \`${uptimeAtStart}\`, at end \`${machine.uptimeAtEnd}\`. Each start ${runs} times, in alternating order, from the unpacked self-contained tarball with a warm page cache ("cold" = a new process).`,
      '',
      '| file | size |',
      '| --- | --- |',
      `| \`${tarballName(version)}\` | ${mib(sizes.tarball)} MiB |`,
      `| \`authctl-${version}.tgz\` (npm) | ${mib(sizes.npmTarball)} MiB |`,
      `| unpacked | ${mib(sizes.unpacked)} MiB: Node ${mib(sizes.node)}, node_modules ${mib(sizes.nodeModules)}, dist + templates + manifest ${mib(sizes.ours)} |`,
      '',
      '| start | median ms | min–max ms | over `node -e \'\'` | peak RSS MiB |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.label} | ${r.medianMs} | ${r.minMs}–${r.maxMs} | ${r.id === 'node' ? '—' : `+${r.overNodeMs}`} | ${r.peakRssMiB ?? '—'} |`),
      '',
    ].join('\n')
    await writeFile(join(resultsDir, 'release.md'), md)
    process.stdout.write(md)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
