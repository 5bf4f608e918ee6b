// Where templates come from: the package's own templates/ folder, or a file of the same name in a
// templates/ folder beside the inventory (only the files present there override). Ours are full ejs;
// an override may come from anyone who can change the inventory's checkout, so it is never run.
import { lstat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// The template file names; an override folder uses the same names.
export const TEMPLATE_NAMES = {
  agentConfig: 'config.hcl.ejs',
  envTemplate: 'env.tpl.ejs',
  compose: 'docker-compose.yml.ejs',
} as const

// <package root>/templates: this module sits two levels down both as src/render/*.ts (tsx) and as
// dist/render/*.js (built), so the same relative URL works for both.
export function defaultTemplatesDir(): string {
  return fileURLToPath(new URL('../../templates/', import.meta.url))
}

// The override folder for an inventory file: `templates/` beside it.
export function overrideDirFor(inventoryFile: string): string {
  return join(dirname(resolve(inventoryFile)), 'templates')
}

// Whether a name exists in the override folder at all: a symlink, FIFO or folder there counts as an
// override (and is then refused by override-template.ts) rather than silently meaning "use the default".
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch (error) {
    // Absent means "no override"; anything else (EACCES) must not silently fall back to the default.
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return false
    throw error
  }
}

// A template to render: an override (logic-free, see override-syntax.ts) or one of ours (full ejs).
export interface ResolvedTemplate {
  file: string
  override: boolean
}

// The file to render for `name`: the override when present, else the default folder's.
export async function resolveTemplate(name: string, opts: { templatesDir?: string; overrideDir?: string } = {}): Promise<ResolvedTemplate> {
  if (opts.overrideDir !== undefined) {
    const candidate = join(opts.overrideDir, name)
    if (await exists(candidate)) return { file: candidate, override: true }
  }
  return { file: join(opts.templatesDir ?? defaultTemplatesDir(), name), override: false }
}
