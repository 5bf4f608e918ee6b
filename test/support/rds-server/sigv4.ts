// Checks AWS Signature Version 4 on a Query API request the way AWS does: the Authorization header's
// shape, service `rds`, a known access key, the request date, and the signature recomputed from the
// secret key over the canonical request. Answers with the error codes AWS uses.
import { createHash, createHmac } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

// An access key the stand-in knows, as an IAM user would have.
export interface AwsKey {
  accessKeyId: string
  secretAccessKey: string
}

// Why a request was refused: the AWS error code, message and HTTP status.
export interface AuthRefusal {
  status: number
  code: string
  message: string
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest()
const AUTH_RE = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/
const MAX_SKEW_MS = 15 * 60_000

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name]
  return Array.isArray(value) ? value.join(',') : (value ?? '')
}

function amzDateMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : NaN
}

// The access key id when the request is signed correctly with one of `keys`, else the refusal.
export function verifySigV4(req: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }, keys: readonly AwsKey[], now = Date.now()): { accessKeyId: string } | AuthRefusal {
  const auth = header(req.headers, 'authorization')
  if (auth === '') return { status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' }
  const m = AUTH_RE.exec(auth)
  if (!m) return { status: 400, code: 'IncompleteSignature', message: 'Authorization header requires Credential, SignedHeaders and Signature parameters (AWS4-HMAC-SHA256).' }
  const [, keyId, date, region, service, signedHeaders, signature] = m as unknown as string[]
  if (service !== 'rds') return { status: 403, code: 'SignatureDoesNotMatch', message: `Credential should be scoped to correct service: 'rds'.` }
  const key = keys.find((k) => k.accessKeyId === keyId)
  if (key === undefined) return { status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' }
  const amzDate = header(req.headers, 'x-amz-date')
  const signed = (signedHeaders as string).split(';')
  if (!signed.includes('host') || !signed.includes('x-amz-date') || !amzDate.startsWith(date as string)) {
    return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request must sign host and x-amz-date, and the credential scope date must match X-Amz-Date.' }
  }
  if (!(Math.abs(now - amzDateMs(amzDate)) <= MAX_SKEW_MS)) return { status: 403, code: 'SignatureDoesNotMatch', message: 'Signature expired: the request date is more than 15 minutes from the server time.' }
  const [path = '/', query = ''] = req.url.split('?', 2)
  const canonicalQuery = query.split('&').filter(Boolean).sort().join('&')
  const canonicalHeaders = signed.map((name) => `${name}:${header(req.headers, name).trim().replace(/\s+/g, ' ')}\n`).join('')
  // The hash of the body as received; a signed x-amz-content-sha256 is only a header like the others.
  const payloadHash = sha256(req.body)
  const canonical = [req.method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n')
  const scope = `${date}/${region}/${service}/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, date as string), region as string), 'rds'), 'aws4_request')
  const expected = createHmac('sha256', signingKey).update(toSign).digest('hex')
  if (expected !== signature) {
    return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.' }
  }
  return { accessKeyId: key.accessKeyId }
}
