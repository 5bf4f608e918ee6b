// The docker stand-in as one file: every bed bundles test/support/docker-stub/ (and the yaml parser it uses)
// into .bundle/docker-stub.cjs, which `docker` loads instead of its ~35 ES modules. Measured on the 2-core
// machine: 120 ms of CPU a call instead of 168 ms (bare `node -e 0`: 86 ms), over about 1,200 calls a full
// `npm test`. `docker` itself falls back to the sources whenever one is newer than the bundle.
import { mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'

// Builds the bundle beside the stand-in; concurrent beds each write their own file and rename it into place.
export async function bundleDockerStub(stubDir: string): Promise<void> {
  const dir = join(stubDir, '.bundle')
  await mkdir(dir, { recursive: true, mode: 0o755 })
  const tmp = join(dir, `docker-stub.${process.pid}.${Date.now()}.cjs`)
  try {
    await build({ entryPoints: [join(stubDir, 'main.mjs')], outfile: tmp, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' })
    await rename(tmp, join(dir, 'docker-stub.cjs'))
  } finally {
    await rm(tmp, { force: true })
  }
}
