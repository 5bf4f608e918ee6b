// Host key policy on top of the known_hosts verifier: decides accept/refuse for ssh2's async
// hostVerifier and words the refusal so the operator knows exactly what to check and run.
import { quote } from '../remote/shell.js'
import { lookupName } from './host-pattern.js'
import { appendKnownHost, keyTypeOf, knownKeyTypes, loadKnownHosts, verifyHostKey, type KnownHostEntry } from './known-hosts.js'
import type { HostKeyPolicy } from './ssh-types.js'

// Why a served key was refused: a message with the facts and a hint with the action.
export interface HostKeyRefusal {
  message: string
  hint: string
}

// What the verifier learnt during the handshake, read by the connect code afterwards.
export interface HostKeyOutcome {
  fingerprint?: string
  appended?: boolean
  // Accepted without verification (StrictHostKeyChecking=no, forced by the operator).
  unverified?: boolean
  refusal?: HostKeyRefusal
}

// Every known_hosts file of a policy, the append target first, read together.
export async function loadPolicyEntries(policy: HostKeyPolicy): Promise<KnownHostEntry[]> {
  const files = [...new Set([policy.knownHostsPath, ...(policy.knownHostsFiles ?? [])])]
  const lists = await Promise.all(files.map((file) => loadKnownHosts(file)))
  return lists.flat()
}

// Host key algorithms ssh2 can negotiate, in ssh2's own default order.
const DEFAULT_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] as const

// A host key algorithm ssh2 can negotiate.
export type HostKeyAlgorithm = (typeof DEFAULT_ALGORITHMS)[number]

const isSupported = (algo: string): algo is HostKeyAlgorithm => (DEFAULT_ALGORITHMS as readonly string[]).includes(algo)

// Asks the server for the key types known_hosts already holds first, as OpenSSH does, so a
// host with several keys presents the one we can check instead of looking "changed".
export function hostKeyAlgorithms(entries: readonly KnownHostEntry[], host: string, port: number): HostKeyAlgorithm[] {
  const preferred = knownKeyTypes(entries, host, port).flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]))
  const supported = preferred.filter(isSupported)
  return [...new Set([...supported, ...DEFAULT_ALGORITHMS])]
}

// A host listed under @cert-authority whose plain key known_hosts lacks. OpenSSH would check the host's
// certificate; ssh2 cannot even negotiate certificate key types, so the only safe answer is no, whatever
// the policy: trusting the plain key on first use would bypass the CA the operator chose.
function certificateRefusal(ca: { line: number; file?: string }, policy: HostKeyPolicy, host: string, port: number, served: string): HostKeyRefusal {
  // ssh-ed25519 → ed25519, ecdsa-sha2-nistp256 → ecdsa, ssh-rsa → rsa: the names ssh-keyscan -t and host key files use.
  const short = (served.split(' ')[0] ?? '').replace(/^ssh-|-.*$/g, '')
  return {
    message:
      `host ${host} port ${port} is listed under @cert-authority in ${ca.file ?? policy.knownHostsPath}:${ca.line}, but authctl cannot verify SSH host certificates; ` +
      `refusing to trust the plain key it presents (${served}) on first use`,
    hint:
      `compare the fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${short}_key.pub), then add its plain key beside the CA line: ` +
      `ssh-keyscan -p ${port} -t ${short} ${quote(host)} >> ${quote(ca.file ?? policy.knownHostsPath)}`,
  }
}

// Checks one served key against known_hosts and the policy; appends it when unknown and allowed.
export async function checkHostKey(
  entries: readonly KnownHostEntry[],
  policy: HostKeyPolicy,
  host: string,
  port: number,
  keyBlob: Buffer,
): Promise<HostKeyOutcome> {
  const verdict = verifyHostKey(entries, host, port, keyBlob)
  const fp = verdict.fingerprint
  const name = lookupName(host, port)
  const where = `${verdict.file ?? policy.knownHostsPath}:${verdict.line ?? '?'}`
  const type = keyTypeOf(keyBlob) ?? 'unknown-type'
  switch (verdict.status) {
    case 'match':
      return { fingerprint: fp }
    case 'revoked':
      return {
        fingerprint: fp,
        refusal: {
          message: `host key of ${host} port ${port} (${type} ${fp}) is marked @revoked in ${where}; refusing to connect`,
          hint: 'the host presents a revoked key: investigate the host before connecting to it',
        },
      }
    case 'mismatch':
      // Even StrictHostKeyChecking=no refuses here: the flag that allows it promises only to skip unknown hosts.
      return {
        fingerprint: fp,
        refusal: {
          message:
            `host key of ${host} port ${port} has CHANGED: it now presents ${type} ${fp}, but ${where} holds a different key ` +
            '(someone may be intercepting the connection, or the host was rebuilt); refusing to connect' +
            (policy.insecure ? '; StrictHostKeyChecking=no (--insecure-ignore-host-keys) only skips the check for hosts known_hosts does not list' : ''),
          hint: `verify the new fingerprint out of band, then remove the old line with: ssh-keygen -R ${quote(name)} -f ${quote(verdict.file ?? policy.knownHostsPath)}`,
        },
      }
    case 'unknown': {
      if (verdict.certAuthority) return { fingerprint: fp, refusal: certificateRefusal(verdict.certAuthority, policy, host, port, `${type} ${fp}`) }
      if (policy.insecure) return { fingerprint: fp, unverified: true }
      if (policy.acceptNew) {
        await appendKnownHost(policy.knownHostsPath, host, port, keyBlob)
        return { fingerprint: fp, appended: true }
      }
      return {
        fingerprint: fp,
        refusal: {
          message:
            `host key of ${host} port ${port} (${type} ${fp}) is not in ${[...new Set([policy.knownHostsPath, ...(policy.knownHostsFiles ?? [])])].join(' or ')}: ` +
            'verify it and run with --accept-new-host-keys, or add it with ssh-keyscan',
          hint: `compare the fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then: ssh-keyscan -p ${port} ${quote(host)} >> ${quote(policy.knownHostsPath)}`,
        },
      }
    }
  }
}
