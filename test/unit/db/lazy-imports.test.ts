import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// pg (~125 ms) and the AWS SDK (~200 ms) load only when a rotation reaches the database.
describe('src/db imports heavy libraries lazily', () => {
  const dir = join(import.meta.dirname, '../../../src/db')
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'))

  it.each(files)('%s has no static value import of pg, ssh2 or the AWS SDK', (file) => {
    expect(readFileSync(join(dir, file), 'utf8')).not.toMatch(/^import\s+(?!type\b)[^'"]*from\s+'(pg|ssh2|@aws-sdk\/[^']+)'/m)
  })

  it('the dynamic imports are where the work starts', () => {
    expect(readFileSync(join(dir, 'pg-connect.ts'), 'utf8')).toContain("await import('pg')")
    expect(readFileSync(join(dir, 'rds-api.ts'), 'utf8')).toContain("await import('@aws-sdk/client-rds')")
  })
})
