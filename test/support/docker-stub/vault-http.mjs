// @ts-check
// The agent's HTTP calls to Vault, with the Go api client's error texts. Loopback only (test-bed rule).
import { Buffer } from 'node:buffer'
import http from 'node:http'
import https from 'node:https'

/** @typedef {{status: number, body: unknown}} VaultResponse */

// Only 127.0.0.0/8 and localhost may be contacted from the test bed.
/** @param {URL} url */
function isLoopback(url) {
  const h = url.hostname.replace(/^\[|\]$/g, '')
  return h === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1'
}

/** @param {string} method @param {string} url */
function goUrlError(method, url, /** @type {string} */ why) {
  const verb = method.charAt(0) + method.slice(1).toLowerCase()
  return new Error(`${verb} "${url}": ${why}`)
}

// Sends one request; rejects with Go-like transport errors, resolves with any HTTP status.
/** @param {string} method @param {string} url @param {{token?: string, body?: unknown, ca?: Buffer}} [opts] @returns {Promise<VaultResponse>} */
export function vaultRequest(method, url, opts = {}) {
  const u = new URL(url)
  if (!isLoopback(u)) return Promise.reject(goUrlError(method, url, `dial tcp ${u.host}: connect: network is unreachable (docker-stub: loopback only)`))
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body)
  /** @type {Record<string, string>} */
  const headers = { 'X-Vault-Request': 'true' }
  if (opts.token) headers['X-Vault-Token'] = opts.token
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json'
    headers['Content-Length'] = String(Buffer.byteLength(payload))
  }
  const mod = u.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = mod.request(u, { method, headers, timeout: 10_000, ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
      /** @type {Buffer[]} */
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        /** @type {unknown} */
        let body
        try {
          body = text ? JSON.parse(text) : null
        } catch {
          body = text
        }
        resolve({ status: res.statusCode ?? 0, body })
      })
    })
    req.on('timeout', () => req.destroy(goUrlError(method, url, `dial tcp ${u.host}: i/o timeout`)))
    req.on('error', (err) => {
      const code = /** @type {NodeJS.ErrnoException} */ (err).code
      if (code === 'ECONNREFUSED') reject(goUrlError(method, url, `dial tcp ${u.host}: connect: connection refused`))
      else if (err.message.startsWith(method.charAt(0))) reject(err)
      else reject(goUrlError(method, url, err.message))
    })
    if (payload !== undefined) req.write(payload)
    req.end()
  })
}

// vault/api ResponseError.Error(): the text Agent logs for a non-2xx answer.
/** @param {string} method @param {string} url @param {VaultResponse} res */
export function responseErrorText(method, url, res) {
  const body = /** @type {{errors?: unknown}} */ (typeof res.body === 'object' && res.body !== null ? res.body : {})
  const errors = Array.isArray(body.errors) ? body.errors.map(String) : []
  return `Error making API request.\n\nURL: ${method} ${url}\nCode: ${res.status}. Errors:\n\n${errors.map((e) => `* ${e}`).join('\n')}`
}
