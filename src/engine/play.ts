// What a play hands the run engine: how to read one host, what to prepare once its state is known,
// and what to apply to it. The engine owns everything else (connect, lock, batches, stop rules,
// interrupts, release, audit, recap). Each phase is its own type, so no field is ever optional.
import type { Reporter } from './reporter.js'
import type { HostOutcome } from './host-result.js'
import type { HostPaths } from '../stack/host-paths.js'
import type { RemoteHost } from '../remote/remote-host.js'

// What every host of a play has: its inventory name and the deploy root (where the lock lives).
export interface PlayHost {
  name: string
  root: string
}

// A host the engine reached; the result is filled in as the run goes.
export interface Connected<H extends PlayHost, R extends HostOutcome> {
  host: H
  paths: HostPaths
  remote: RemoteHost
  result: R
}

// A host whose state was read (and, when the run locks, whose lock is held).
export interface ReadHost<H extends PlayHost, S, R extends HostOutcome> extends Connected<H, R> {
  state: S
}

// A host the play prepared: ready to apply.
export interface PreparedHost<H extends PlayHost, S, P, R extends HostOutcome> extends ReadHost<H, S, R> {
  prepared: P
}

// Asked of the read round trip when the run locks: take the lock in the same command (take), or only
// refuse a lock another run holds, the play's write taking it later (a no-change run never locks).
export interface LockRequest {
  details: string
  take: boolean
}

// What apply may use besides the host: progress, audit lines and the signal that cancels work in flight.
export interface ApplyContext {
  reporter: Reporter
  // one audit record for this host (no secrets); the engine adds time, who, host and command
  audit(fields: Record<string, unknown>): void
  // aborted by a second Ctrl-C: stop waiting for this host (the release still runs)
  signal: AbortSignal
  // present when the lock is taken in the write trip: the first write must take it (and re-check the state)
  lock: { details: string } | undefined
}

// A use case that touches hosts, as the engine runs it.
export interface Play<H extends PlayHost, S, P, R extends HostOutcome> {
  newResult(host: H): R
  // Round trip 1: the host's state; with a lock request the same command takes the lock
  // (and throws LockHeldError when another run holds it).
  read(host: Connected<H, R>, lock: LockRequest | undefined): Promise<S>
  // Local work and Vault reads once the state is known (plan, decide). It takes nothing that would need
  // giving back: a credential is minted in apply, at the host's turn, so a run stopped earlier leaves none live.
  prepare(host: ReadHost<H, S, R>): Promise<P>
  // Whether apply has anything to do on this host.
  changes(host: PreparedHost<H, S, P, R>): boolean
  // Whether applying interrupts a running service: such hosts go in --serial batches, the others in parallel.
  rolling(host: PreparedHost<H, S, P, R>): boolean
  // Changes one host; throws to fail it.
  apply(host: PreparedHost<H, S, P, R>, ctx: ApplyContext): Promise<void>
  // The change made once, off the hosts (Vault, the database), while every reachable host is locked and
  // read: after prepare, before any host is applied. Returns why no host may be applied (the run then
  // touches none), or undefined to go on. Never runs when the run aborted before any change.
  central?(ready: readonly PreparedHost<H, S, P, R>[], owed: readonly R[]): Promise<string | undefined>
}

// The engine's ports: SSH, progress, the bastion's audit trail, who runs, and the interrupts.
export interface EngineDeps {
  // one connection per host; an Error value means unreachable; asking again for a lost host reconnects
  connect(names: readonly string[]): Promise<Map<string, RemoteHost | Error>>
  reporter: Reporter
  auditLocal(lines: readonly string[]): Promise<void>
  lockDetails: string
  who: string
  now(): Date
  // first Ctrl-C: touch no further host
  signal: AbortSignal
  // second Ctrl-C: stop waiting for hosts in progress (never the release)
  hardSignal: AbortSignal
}
