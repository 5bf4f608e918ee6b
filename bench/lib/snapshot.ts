// A private copy of the built CLI for the whole bench run: other work in the same checkout may
// rebuild (rm -rf dist) at any moment, and a half-built dist would turn into bogus numbers.
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The copied package: run `node <dir>/bin/run.js`.
export interface CliSnapshot {
  dir: string
  runJs: string
  remove(): Promise<void>
}

// Copies bin/, dist/, templates/, package.json and the oclif manifest; node_modules is linked.
export async function snapshotCli(repoRoot: string): Promise<CliSnapshot> {
  const dir = await mkdtemp(join(tmpdir(), 'authctl-bench-cli-'))
  for (const entry of ['bin', 'dist', 'templates', 'package.json', 'oclif.manifest.json']) {
    await cp(join(repoRoot, entry), join(dir, entry), { recursive: true })
  }
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return { dir, runJs: join(dir, 'bin', 'run.js'), remove: () => rm(dir, { recursive: true, force: true }) }
}
