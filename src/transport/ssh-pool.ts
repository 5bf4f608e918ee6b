// One SSH connection per host for the whole run: connects hosts in parallel (bounded by
// --forks), keeps each host's result apart, and closes everything at the end.
import { UnreachableError } from '../errors.js'
import { createLimiter } from './limit.js'
import { connectHost, type HostKeyPolicy, type RemoteHost, type SshTarget } from './ssh-host.js'

// The connections of a run, keyed by inventory host name.
export class SshPool {
  private readonly hosts = new Map<string, RemoteHost>()

  constructor(
    private readonly policy: HostKeyPolicy,
    private readonly opts: { forks?: number; readyTimeoutMs?: number } = {},
  ) {}

  // Connects every target (reusing open connections); an unreachable host yields its error in the
  // map instead of failing the others. Any other error (a bad key file) closes all and rethrows.
  async connectAll(targets: SshTarget[]): Promise<Map<string, RemoteHost | UnreachableError>> {
    const limit = createLimiter(this.opts.forks ?? 10)
    const settled = await Promise.allSettled(
      targets.map((target) =>
        limit(async () => {
          const open = this.hosts.get(target.name)
          if (open) return open
          const host = await connectHost(target, this.policy, { readyTimeoutMs: this.opts.readyTimeoutMs })
          this.hosts.set(target.name, host)
          return host
        }),
      ),
    )
    const results = new Map<string, RemoteHost | UnreachableError>()
    for (const [i, outcome] of settled.entries()) {
      const name = targets[i]?.name ?? ''
      if (outcome.status === 'fulfilled') results.set(name, outcome.value)
      else if (outcome.reason instanceof UnreachableError) results.set(name, outcome.reason)
      else {
        await this.closeAll()
        throw outcome.reason
      }
    }
    return results
  }

  // The open connection of a host, or undefined when it was never reached.
  get(name: string): RemoteHost | undefined {
    return this.hosts.get(name)
  }

  // Closes every connection; one failing close never stops the others.
  async closeAll(): Promise<void> {
    const hosts = [...this.hosts.values()]
    this.hosts.clear()
    await Promise.allSettled(hosts.map((host) => host.close()))
  }
}
