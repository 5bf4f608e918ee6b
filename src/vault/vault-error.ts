// Turns Vault's answers and transport failures into VaultError with a message and a hint saying who
// must act. Messages never carry a secret: every text passes through redact() with the request's secrets.
import { VaultError } from '../errors.js'
import { redact, type Secret } from '../util/secret.js'

// What the caller was doing, for the message ("read on secret/data/x").
export interface RequestDescription {
  method: string
  path: string
  capability: string
  addr: string
  secrets: readonly Secret[]
  attempts?: number // how many times it was sent (retries included)
  mayHaveApplied?: boolean // a write that failed after Vault may have processed it, so it was not resent
  timeoutMs?: number // the VAULT_CLIENT_TIMEOUT deadline
  maxBytes?: number // the response size cap
}

// Error codes of our own that end a request for good: the VAULT_CLIENT_TIMEOUT deadline and the body cap.
export const DEADLINE_CODE = 'AUTHCTL_DEADLINE'
export const TOO_LARGE_CODE = 'AUTHCTL_BODY_TOO_LARGE'

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL|ERR_TLS/

// Whether a connection error code is a TLS verification failure (never worth a retry).
export function isTlsCode(code: string): boolean {
  return TLS_CODES.test(code)
}

function attemptsText(req: RequestDescription): string {
  return (req.attempts ?? 1) > 1 ? ` after ${req.attempts} attempts` : ''
}

// For a write that may have been applied: say it was not resent, and how to see whether it took effect.
function notResent(req: RequestDescription): string {
  if (!req.mayHaveApplied) return ''
  const head = ` authctl did not resend ${req.method} ${req.path}: Vault may have applied it, and sending it again could apply it twice.`
  const kv = /^(.+?)\/data\/(.+)$/.exec(req.path)
  if (kv) return `${head} Read ${kv[1]}/metadata/${kv[2]} (current_version) to see whether the write happened before running again.`
  if (/\/secret-id$/.test(req.path)) return `${head} List the role's secret-id accessors and destroy any that authctl did not record.`
  return `${head} Check the current state in Vault before running again.`
}

function sizeText(bytes: number): string {
  const mib = 1024 * 1024
  return bytes % mib === 0 ? `${bytes / mib} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`
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

// Who must act for a status without a message of its own.
function genericHint(status: number, text: string, path: string): string {
  if (text.includes('check-and-set')) return `Someone changed ${path} since it was read; read it again and retry.`
  if (status === 412) return "Vault could not yet satisfy the request's consistency requirement; run again in a moment."
  if (status === 502 || status === 504) return 'A proxy or load balancer in front of Vault got no answer from it; check that and the Vault server logs.'
  if (status >= 500) return 'Vault reported an internal error; check the Vault server logs.'
  return 'Vault refused the request; check the values sent.'
}

// A VaultError for an HTTP status ≥ 400 (or a body Vault sent where data was expected).
export function httpError(status: number, body: unknown, req: RequestDescription): VaultError {
  const errors = vaultErrors(body)
  const clean = (s: string) => redact(s, req.secrets)
  const where = `${req.method} ${req.path}`
  const details = { status, errors: errors.map(clean), attempts: req.attempts ?? 1 }
  const text = errors.length ? clean(errors.join('; ')) : `HTTP ${status}`
  if (status === 503 && errors.some((e) => e.includes('sealed'))) {
    return new VaultError(`Vault at ${req.addr} is sealed`, { status, hint: 'Unseal Vault (vault operator unseal) and run again.', cause: details })
  }
  if (status === 503 && errors.some((e) => e.includes('no active Vault instance found') || e.includes('node is not active'))) {
    return new VaultError(`Vault at ${req.addr} has no active node (${text})`, { status, hint: 'Wait for the cluster to elect a leader (vault operator raft list-peers / vault status), or set VAULT_ADDR to the active node.', cause: details })
  }
  if (status === 429) {
    const times = (req.attempts ?? 1) > 1 ? `${req.attempts} times` : 'once'
    return new VaultError(`Vault at ${req.addr} is rate-limiting requests: ${where} was refused ${times} (429: ${text})`, {
      status,
      hint: 'Wait and run again (VAULT_MAX_RETRIES sets how often authctl retries), or ask the Vault operators about the rate limit quota (vault read sys/quotas/rate-limit/…).',
      cause: details,
    })
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
    const found = errors.length ? `: ${clean(errors.join('; '))}` : ''
    return new VaultError(`Vault has nothing at ${req.path}${found}`, { status, hint: 'Check the mount, path and role names.', cause: details })
  }
  if (status === 503 && errors.length === 0) {
    return new VaultError(`Vault at ${req.addr} is unavailable (503) for ${where}${attemptsText(req)}`, { status, hint: `Check that Vault is up and that VAULT_ADDR points at Vault and not at a proxy or load balancer without healthy backends.${notResent(req)}`, cause: details })
  }
  const hint = genericHint(status, text, req.path)
  return new VaultError(`Vault ${where} failed (${status})${attemptsText(req)}: ${text}`, { status, hint: `${hint}${notResent(req)}`, cause: details })
}

// A VaultError for a connection that failed before a complete HTTP answer (refused, DNS, TLS, reset,
// the VAULT_CLIENT_TIMEOUT deadline, a body over the size cap).
export function transportError(error: unknown, req: RequestDescription): VaultError {
  const code = (error as NodeJS.ErrnoException | null)?.code ?? (error as Error | null)?.name ?? 'error'
  const text = redact(String((error as Error | null)?.message ?? error), req.secrets)
  const cause = { code, message: text, attempts: req.attempts ?? 1 }
  const where = `${req.method} ${req.path}`
  if (isTlsCode(code)) {
    return new VaultError(`TLS verification of Vault at ${req.addr} failed (${code})`, {
      hint: 'Set VAULT_CACERT to the PEM of the CA that signed the Vault certificate (VAULT_SKIP_VERIFY=true only for a test server).',
      cause,
    })
  }
  if (code === DEADLINE_CODE) {
    const limit = req.timeoutMs === undefined ? '' : ` (VAULT_CLIENT_TIMEOUT ${req.timeoutMs / 1000} s)`
    return new VaultError(`Vault at ${req.addr} did not answer ${where} in time${limit}`, { hint: `Check that Vault is up and reachable, or raise VAULT_CLIENT_TIMEOUT.${notResent(req)}`, cause })
  }
  if (code === TOO_LARGE_CODE) {
    const cap = req.maxBytes === undefined ? 'the size limit' : sizeText(req.maxBytes)
    return new VaultError(`Vault at ${req.addr} sent more than ${cap} for ${where}; authctl stopped reading`, {
      hint: 'Vault answers these requests in a few kilobytes: check that VAULT_ADDR points at Vault and not at a proxy or another service.',
      cause,
    })
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new VaultError(`Vault at ${req.addr} closed the connection during ${where} (${code})${attemptsText(req)}`, {
      hint: `Check the Vault server and any proxy between here and Vault.${notResent(req)}`,
      cause,
    })
  }
  if (code === 'ETIMEDOUT' || code === 'TimeoutError') {
    return new VaultError(`Vault at ${req.addr} did not answer ${where} in time`, { hint: `Check that Vault is up and reachable, or raise VAULT_CLIENT_TIMEOUT.${notResent(req)}`, cause })
  }
  return new VaultError(`Vault at ${req.addr} is unreachable (${code}: ${text})${attemptsText(req)}`, {
    hint: `Check VAULT_ADDR, that Vault is running and that this machine can reach it.${notResent(req)}`,
    cause,
  })
}
