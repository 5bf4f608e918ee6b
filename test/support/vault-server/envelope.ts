// Vault's response shapes: the HTTPResponse envelope, the {"errors":[…]} body, multierror framing.
import { randomUUID } from 'node:crypto'

// What a route handler answers; the server serialises it (raw = exact bytes, e.g. an empty 404).
export interface Reply {
  status: number
  body?: unknown
  raw?: string
  // Set by the secret-id handler so a wrapped response reports wrapped_accessor.
  wrappedAccessor?: string
}

// The success envelope of sdk/logical/translate_response.go.
export function envelope(fields: { data?: unknown; auth?: unknown; warnings?: string[] | null; mountType?: string; leaseDuration?: number; renewable?: boolean; wrapInfo?: unknown }): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: fields.renewable ?? false,
    lease_duration: fields.leaseDuration ?? 0,
    data: fields.data ?? null,
    wrap_info: fields.wrapInfo ?? null,
    warnings: fields.warnings ?? null,
    auth: fields.auth ?? null,
    mount_type: fields.mountType ?? '',
  }
}

// 200 with data in the envelope.
export function ok(data: unknown, mountType = ''): Reply {
  return { status: 200, body: envelope({ data, mountType }) }
}

// 204 No Content.
export function noContent(): Reply {
  return { status: 204 }
}

// {"errors":[…]} with the given status; bare strings, as a logical.ErrorResponse gives.
export function fail(status: number, ...messages: string[]): Reply {
  return { status, body: { errors: messages } }
}

// go-multierror framing used for ACL/token errors and plain Go errors from backends.
export function multierror(...messages: string[]): string {
  const head = messages.length === 1 ? '1 error occurred:' : `${messages.length} errors occurred:`
  return `${head}\n${messages.map((m) => `\t* ${m}`).join('\n')}\n\n`
}

// The exact 403 bodies.
export const PERMISSION_DENIED = multierror('permission denied')
export const INVALID_TOKEN = multierror('permission denied', 'invalid token')
