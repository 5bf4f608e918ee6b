// An RDS stand-in on loopback speaking the Query API (form POST, Version 2014-10-31, XML) for
// ModifyDBInstance and DescribeDBInstances, SigV4-checked; the real SDK reaches it through
// AWS_ENDPOINT_URL_RDS. See README.md for the facts it follows.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Instances, RdsFault, type InstanceConfig } from './instances.js'
import { errorXml, resultXml, xmlFields } from './query-xml.js'
import { verifySigV4, type AwsKey } from './sigv4.js'

// One request as the stand-in saw it: the action, its parameters (MasterUserPassword masked), the key used.
export interface RdsRequest {
  action: string
  params: Record<string, string>
  accessKeyId?: string
  status: number
}

// A failure of the API itself, for the next `count` requests of one action: HTTP 500 InternalFailure,
// 400 Throttling, or the connection cut without an answer; `afterProcessing` handles the request first
// (a ModifyDBInstance taken, its answer lost).
export interface ApiFault {
  action: 'ModifyDBInstance' | 'DescribeDBInstances'
  kind: 'internal-error' | 'throttling' | 'cut'
  afterProcessing?: boolean
  count?: number
}

// A running stand-in: its URL (for AWS_ENDPOINT_URL_RDS), its instances, the request log, and stop().
export interface RdsServer {
  url: string
  instances: Instances
  // Arms an API fault; clearFaults() disarms them all.
  failNext(fault: ApiFault): void
  clearFaults(): void
  // Kept for assertions only; never printed (it would show what the SDK sent).
  requests: RdsRequest[]
  stop(): Promise<void>
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject)
  })

function masked(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of params) out[k] = k === 'MasterUserPassword' ? '****' : v
  return out
}

async function answer(instances: Instances, action: string, params: URLSearchParams): Promise<string> {
  const id = params.get('DBInstanceIdentifier') ?? ''
  if (action === 'DescribeDBInstances') {
    if (id === '') throw new RdsFault(400, 'InvalidParameterValue', 'This stand-in needs DBInstanceIdentifier.')
    return resultXml(action, `<DBInstances><DBInstance>${xmlFields(await instances.describe(id))}</DBInstance></DBInstances>`)
  }
  if (action === 'ModifyDBInstance') return resultXml(action, `<DBInstance>${xmlFields(await instances.modify(id, params))}</DBInstance>`)
  throw new RdsFault(400, 'InvalidAction', `The action ${action} is not valid for this web service.`)
}

// Starts the stand-in on 127.0.0.1 with the access keys it accepts and its instances.
export async function startRdsServer(options: { keys: AwsKey[]; instances?: InstanceConfig[] }): Promise<RdsServer> {
  const instances = new Instances()
  for (const config of options.instances ?? []) instances.add(config)
  const requests: RdsRequest[] = []
  let faults: Array<Required<ApiFault>> = []
  const takeFault = (action: string): Required<ApiFault> | undefined => {
    const fault = faults.find((f) => f.action === action && f.count > 0)
    if (fault !== undefined) fault.count--
    return fault
  }
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req)
    const params = new URLSearchParams(body.toString('utf8'))
    const entry: RdsRequest = { action: params.get('Action') ?? '', params: masked(params), status: 200 }
    requests.push(entry)
    const send = (status: number, xml: string): void => {
      entry.status = status
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'stand-in' }).end(xml)
    }
    const auth = verifySigV4({ method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body }, options.keys)
    if ('code' in auth) return send(auth.status, errorXml(auth.code, auth.message))
    entry.accessKeyId = auth.accessKeyId
    if (req.method !== 'POST' || !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return send(400, errorXml('InvalidAction', 'The Query API takes a form-encoded POST.'))
    }
    if (params.get('Version') !== '2014-10-31') return send(400, errorXml('InvalidParameterValue', 'Version must be 2014-10-31.'))
    const fault = takeFault(entry.action)
    try {
      if (fault?.afterProcessing) await answer(instances, entry.action, params).catch(() => undefined)
      if (fault?.kind === 'cut') {
        entry.status = 0
        return void req.socket.destroy()
      }
      if (fault?.kind === 'internal-error') return send(500, errorXml('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 'Receiver'))
      if (fault?.kind === 'throttling') return send(400, errorXml('Throttling', 'Rate exceeded'))
      send(200, await answer(instances, entry.action, params))
    } catch (error) {
      if (error instanceof RdsFault) return send(error.status, errorXml(error.code, error.message))
      send(500, errorXml('InternalFailure', 'The stand-in failed to process the request.'))
    }
  }
  const server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    instances,
    requests,
    failNext: (fault) => void faults.push({ afterProcessing: false, count: 1, ...fault }),
    clearFaults: () => void (faults = []),
    stop: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
