// Turns Vault's answers and transport failures into VaultError with a message and a hint saying who
// must act. Messages never carry a secret: every text passes through redact() with the request's secrets.
import { VaultError } from '../errors.js'
import { redact, type Secret } from '../output/secret.js'

// What the caller was doing, for the message ("read on secret/data/x").
export interface RequestDescription {
  method: string
  path: string
  capability: string
  addr: string
  secrets: readonly Secret[]
}

// Vault's error strings without the go-multierror framing ("1 error occurred:\n\t* … \n\n").
export function vaultErrors(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | null)?.errors
  if (!Array.isArray(errors)) return []
  return errors.flatMap((e) => {
    const text = String(e)
    const framed = /^\d+ errors? occurred:\n([\s\S]*)$/.exec(text)
    if (!framed) return [text.trim()]
    return framed[1]!.split('\n').map((l) => l.replace(/^\t\* /, '').trim()).filter((l) => l !== '')
  })
}

// A VaultError for an HTTP status ≥ 400 (or a body Vault sent where data was expected).
export function httpError(status: number, body: unknown, req: RequestDescription): VaultError {
  const errors = vaultErrors(body)
  const clean = (s: string) => redact(s, req.secrets)
  const where = `${req.method} ${req.path}`
  const details = { status, errors: errors.map(clean) }
  if (status === 503 && errors.some((e) => e.includes('sealed'))) {
    return new VaultError(`Vault at ${req.addr} is sealed`, { status, hint: 'Unseal Vault (vault operator unseal) and run again.', cause: details })
  }
  if (status === 403 && errors.includes('invalid token')) {
    return new VaultError(`Vault rejected the token for ${where}: it is invalid, expired or revoked`, { status, hint: 'Log in again (vault login) or set VAULT_TOKEN / ~/.vault-token to a valid token.', cause: details })
  }
  if (status === 403 && errors.includes('permission denied')) {
    return new VaultError(`Permission denied: the token lacks "${req.capability}" on ${req.path}`, {
      status,
      hint: `Grant "${req.capability}" on "${req.path}" in the token's policy (check with: vault token capabilities ${req.path}).`,
      cause: details,
    })
  }
  if (status === 404) {
    const text = errors.length ? `: ${clean(errors.join('; '))}` : ''
    return new VaultError(`Vault has nothing at ${req.path}${text}`, { status, hint: 'Check the mount, path and role names.', cause: details })
  }
  const text = errors.length ? clean(errors.join('; ')) : `HTTP ${status}`
  const hint = text.includes('check-and-set')
    ? `Someone changed ${req.path} since it was read; read it again and retry.`
    : status >= 500
      ? 'Vault reported an internal error; check the Vault server logs.'
      : 'Vault refused the request; check the values sent.'
  return new VaultError(`Vault ${where} failed (${status}): ${text}`, { status, hint, cause: details })
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL|ERR_TLS/

// A VaultError for a connection that failed before any HTTP answer (refused, DNS, TLS, timeout).
export function transportError(error: unknown, req: RequestDescription): VaultError {
  const code = (error as NodeJS.ErrnoException | null)?.code ?? (error as Error | null)?.name ?? 'error'
  const text = redact(String((error as Error | null)?.message ?? error), req.secrets)
  if (TLS_CODES.test(code)) {
    return new VaultError(`TLS verification of Vault at ${req.addr} failed (${code})`, {
      hint: 'Set VAULT_CACERT to the PEM of the CA that signed the Vault certificate (VAULT_SKIP_VERIFY=true only for a test server).',
      cause: { code, message: text },
    })
  }
  if (code === 'ETIMEDOUT' || code === 'TimeoutError') {
    return new VaultError(`Vault at ${req.addr} did not answer ${req.method} ${req.path} in time`, { hint: 'Check that Vault is up and reachable, or raise VAULT_CLIENT_TIMEOUT.', cause: { code, message: text } })
  }
  return new VaultError(`Vault at ${req.addr} is unreachable (${code}: ${text})`, {
    hint: 'Check VAULT_ADDR, that Vault is running and that this machine can reach it.',
    cause: { code, message: text },
  })
}
