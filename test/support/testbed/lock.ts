// A cross-process mutex made of an atomic mkdir, for setup steps that parallel test workers would
// otherwise race on (useradd locks /etc/passwd and fails instead of waiting).
import { mkdir, rm, stat } from 'node:fs/promises'
import { waitFor } from '../wait-for.js'

// Runs fn while holding the lock directory; a lock older than staleMs is taken over (its holder died).
export async function withLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 30_000, staleMs = 60_000): Promise<T> {
  const take = async (): Promise<boolean> => {
    try {
      await mkdir(path)
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0)
      if (age > staleMs) await rm(path, { recursive: true, force: true })
      return false
    }
  }
  await waitFor(take, `lock ${path}`, timeoutMs, 50)
  try {
    return await fn()
  } finally {
    await rm(path, { recursive: true, force: true })
  }
}
