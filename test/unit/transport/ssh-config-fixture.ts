// Copies test/fixtures/ssh-config/home to a temp home (files 0644, as ssh's permission check wants),
// optionally making relative Includes absolute so `ssh -G` (which anchors them at the real ~/.ssh) agrees.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export const FIXTURE_HOME = join(import.meta.dirname, '../../fixtures/ssh-config/home')

function chmodTree(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) chmodTree(path)
    else chmodSync(path, 0o644)
  }
}

// A private copy of the fixture home; returns its path.
export function copyFixtureHome(absoluteIncludes = false): string {
  const home = join(mkdtempSync(join(tmpdir(), 'authctl-sshcfg-')), 'home')
  cpSync(FIXTURE_HOME, home, { recursive: true })
  chmodTree(home)
  if (absoluteIncludes) {
    const config = join(home, '.ssh', 'config')
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^(\s*Include\s+)(?![~/])(\S+)/gm, `$1${home}/.ssh/$2`))
  }
  return home
}

// Writes a scratch home with the given files under .ssh (mode 0644); returns the home.
export function scratchHome(files: Record<string, string>): string {
  const home = mkdtempSync(join(tmpdir(), 'authctl-sshcfg-'))
  for (const [name, text] of Object.entries(files)) {
    const path = join(home, '.ssh', name)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
    chmodSync(path, 0o644)
  }
  return home
}
