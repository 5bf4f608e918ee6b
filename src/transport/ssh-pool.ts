// One SSH connection per host for the whole run: connects hosts in parallel (bounded by
// --forks), keeps each host's result apart, shares jump hosts, and closes everything at the end.
import { UnreachableError } from '../errors.js'
import { createLimiter } from '../util/limiter.js'
import type { PassphraseSource } from './passphrase.js'
import { connectHost } from './ssh-host.js'
import type { HostKeyPolicy, SshConnection, SshTarget } from './ssh-types.js'
import { JumpChains } from './ssh-jump.js'

// Run-wide connect settings.
export interface SshPoolOptions {
  forks?: number
  readyTimeoutMs?: number
  passphrase?: PassphraseSource
  env?: NodeJS.ProcessEnv
}

// The connections of a run, keyed by inventory host name.
export class SshPool {
  private readonly hosts = new Map<string, SshConnection>()
  private chains?: JumpChains

  constructor(
    private readonly policy: HostKeyPolicy,
    private readonly opts: SshPoolOptions = {},
  ) {}

  private async jumpChains(): Promise<JumpChains> {
    if (this.chains === undefined) {
      const { default: ssh2 } = await import('ssh2')
      this.chains = new JumpChains({ ssh2, passphrase: this.opts.passphrase, env: this.opts.env, readyTimeoutMs: this.opts.readyTimeoutMs ?? 20_000, keepaliveIntervalMs: 15_000 })
    }
    return this.chains
  }

  // Connects every target (reusing open connections); an unreachable host yields its error in the
  // map instead of failing the others. Any other error (a bad key file) closes all and rethrows.
  async connectAll(targets: SshTarget[]): Promise<Map<string, SshConnection | UnreachableError>> {
    const limit = createLimiter(this.opts.forks ?? 10)
    const jumps = targets.some((t) => (t.jumps ?? []).length > 0) ? await this.jumpChains() : undefined
    const settled = await Promise.allSettled(
      targets.map((target) =>
        limit(async () => {
          // a lost connection is replaced (the release of a lock must reach the host again)
          const open = this.hosts.get(target.name)
          if (open && !open.isLost) return open
          const host = await connectHost(target, this.policy, { readyTimeoutMs: this.opts.readyTimeoutMs, passphrase: this.opts.passphrase, jumps, env: this.opts.env })
          this.hosts.set(target.name, host)
          return host
        }),
      ),
    )
    const results = new Map<string, SshConnection | UnreachableError>()
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
  get(name: string): SshConnection | undefined {
    return this.hosts.get(name)
  }

  // Closes every connection, then the jump hosts; one failing close never stops the others.
  async closeAll(): Promise<void> {
    const hosts = [...this.hosts.values()]
    this.hosts.clear()
    await Promise.allSettled(hosts.map((host) => host.close()))
    await this.chains?.closeAll()
  }
}
