import { existsSync, mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TEMPLATE_NAMES, defaultTemplatesDir, overrideDirFor, resolveTemplate } from '../../../src/render/templates-dir.js'

describe('templates folder', () => {
  it('defaults to <package root>/templates holding every template', () => {
    const dir = defaultTemplatesDir()
    expect(dir).toBe(join(process.cwd(), 'templates/'))
    for (const name of Object.values(TEMPLATE_NAMES)) expect(existsSync(join(dir, name))).toBe(true)
  })

  it('puts the override folder beside the inventory file', () => {
    expect(overrideDirFor('/srv/ops/inventory.ini')).toBe('/srv/ops/templates')
  })

  it('resolves to the default file when the override folder lacks it', async () => {
    expect(await resolveTemplate('config.hcl.ejs', { overrideDir: '/nonexistent' })).toEqual({ file: join(defaultTemplatesDir(), 'config.hcl.ejs'), override: false })
  })

  it('takes any entry of that name in the override folder as an override, even a dangling symlink', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-templates-'))
    symlinkSync(join(dir, 'missing'), join(dir, 'config.hcl.ejs'))
    expect(await resolveTemplate('config.hcl.ejs', { overrideDir: dir })).toEqual({ file: join(dir, 'config.hcl.ejs'), override: true })
    expect(await resolveTemplate('env.tpl.ejs', { overrideDir: dir })).toEqual({ file: join(defaultTemplatesDir(), 'env.tpl.ejs'), override: false })
  })
})
