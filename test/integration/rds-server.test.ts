// The RDS stand-in itself: it refuses what AWS refuses (unsigned, wrongly scoped, tampered, stale
// requests) with AWS's error codes, and accepts the real SDK's signed request as sent.
import { randomBytes } from 'node:crypto'
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds'
import type { HttpRequest } from '@smithy/types'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRdsServer, type RdsServer } from '../support/rds-server/index.js'
import { verifySigV4 } from '../support/rds-server/sigv4.js'

const KEY = { accessKeyId: 'AKIASTANDIN00000002', secretAccessKey: randomBytes(30).toString('base64') }
let rds: RdsServer
let signed: HttpRequest

beforeAll(async () => {
  rds = await startRdsServer({ keys: [KEY], instances: [{ id: 'db-1', masterUsername: 'authentik', address: '127.0.0.1', port: 5432, admin: { connectionString: 'unused' } }] })
  // The SDK's own signed request, captured after signing (the deserialize step wraps the send).
  const client = new RDSClient({ region: 'us-west-2', endpoint: rds.url, credentials: KEY })
  client.middlewareStack.add((next) => async (args) => {
    signed = args.request as HttpRequest
    return next(args)
  }, { step: 'deserialize' })
  const out = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'db-1' }))
  expect(out.DBInstances?.[0]).toMatchObject({ DBInstanceIdentifier: 'db-1', DBInstanceStatus: 'available', MasterUsername: 'authentik' })
  client.destroy()
})

afterAll(async () => {
  await rds?.stop()
})

const post = (headers: Record<string, string>, body: string): Promise<Response> => fetch(rds.url, { method: 'POST', headers, body })
const codeOf = async (res: Response): Promise<string> => /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1] ?? ''

describe('RDS stand-in request checks', () => {
  it('the SDK signs with AWS4-HMAC-SHA256 for service rds, as a form POST of the Query API', () => {
    expect(signed.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY.accessKeyId}/\\d{8}/us-west-2/rds/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-date[^,]*, Signature=[0-9a-f]{64}$`))
    expect(String(signed.body)).toMatch(/^Action=DescribeDBInstances&Version=2014-10-31&DBInstanceIdentifier=db-1$/)
  })

  it('a replay of the signed request is accepted, a tampered body is not', async () => {
    const body = String(signed.body)
    expect((await post(signed.headers, body)).status).toBe(200)
    const tampered = await post(signed.headers, body.replace('db-1', 'db-2'))
    expect([tampered.status, await codeOf(tampered)]).toEqual([403, 'SignatureDoesNotMatch'])
  })

  it('a request signed more than 15 minutes ago is refused', () => {
    const request = { method: 'POST', url: '/', headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])), body: Buffer.from(String(signed.body)) }
    expect(verifySigV4(request, [KEY])).toEqual({ accessKeyId: KEY.accessKeyId })
    expect(verifySigV4(request, [KEY], Date.now() + 20 * 60_000)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' })
  })

  it.each([
    [{}, 403, 'MissingAuthenticationToken'],
    [{ authorization: 'AWS4-HMAC-SHA256 Credential=nonsense' }, 400, 'IncompleteSignature'],
    [{ authorization: `AWS4-HMAC-SHA256 Credential=${KEY.accessKeyId}/20250101/us-west-2/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}` }, 403, 'SignatureDoesNotMatch'],
    [{ authorization: `AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN/20250101/us-west-2/rds/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}` }, 403, 'InvalidClientTokenId'],
  ])('headers %j → %i %s', async (headers, status, code) => {
    const res = await post({ 'content-type': 'application/x-www-form-urlencoded', ...headers }, 'Action=DescribeDBInstances&Version=2014-10-31&DBInstanceIdentifier=db-1')
    expect([res.status, await codeOf(res)]).toEqual([status, code])
  })

  it('logs requests with the password masked', () => {
    expect(rds.requests[0]).toMatchObject({ action: 'DescribeDBInstances', accessKeyId: KEY.accessKeyId, status: 200 })
  })
})

describe('RDS stand-in API faults', () => {
  const replay = (): Promise<Response> => post(signed.headers, String(signed.body))
  it('answers 500 InternalFailure (Type Receiver) and 400 Throttling for the armed count, then normally', async () => {
    rds.failNext({ action: 'DescribeDBInstances', kind: 'internal-error' })
    rds.failNext({ action: 'DescribeDBInstances', kind: 'throttling', count: 2 })
    const first = await replay()
    expect([first.status, await first.text()]).toEqual([500, expect.stringMatching(/<Type>Receiver<\/Type><Code>InternalFailure<\/Code>/)])
    for (let i = 0; i < 2; i++) {
      const throttled = await replay()
      expect([throttled.status, await codeOf(throttled)]).toEqual([400, 'Throttling'])
    }
    expect((await replay()).status).toBe(200)
  })

  it('cuts the connection without an answer; clearFaults disarms what is armed (afterProcessing: db-rds.test.ts)', async () => {
    rds.failNext({ action: 'DescribeDBInstances', kind: 'cut' })
    await expect(replay()).rejects.toThrow()
    expect(rds.requests.at(-1)).toMatchObject({ action: 'DescribeDBInstances', status: 0 })
    rds.clearFaults()
    rds.failNext({ action: 'DescribeDBInstances', kind: 'cut' })
    rds.clearFaults()
    expect((await replay()).status).toBe(200)
  })
})
