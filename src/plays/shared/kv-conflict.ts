// A KV write with check-and-set that lost to another writer: Vault answers 400 "check-and-set parameter
// did not match the current version" (vault-api/kv2-data-write.json), and nothing was written.
import { VaultError } from '../../errors.js'

// Whether Vault refused a write in a way that provably wrote nothing (a 4xx other than 412 and 429).
export function writeRefused(error: unknown): error is VaultError {
  const status = error instanceof VaultError ? error.status : undefined
  return status !== undefined && status >= 400 && status < 500 && status !== 412 && status !== 429
}

// The error to show for a lost check-and-set on `display` read at `version`, or the original error.
export function casConflictError(error: VaultError, display: string, version: number): VaultError {
  if (!/check-and-set/.test(error.message)) return error
  return new VaultError(`${display} changed after it was read at version ${version} (check-and-set failed): nothing was changed`, {
    status: error.status, hint: 'Someone else wrote the secret meanwhile: look at it (authctl secrets show), then run the rotation again.', cause: error,
  })
}
