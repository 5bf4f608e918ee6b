// Giving back a secret-id swap that the host's agent refused, shared by setup and the secret-id swap
// play (regen-secret-id, adopt): the previous file is read into memory before the swap, put back with
// its record when the agent cannot log in with the new one, and the new one is destroyed.
import { warnHost } from '../../engine/outcome.js'
import type { HostOutcome } from '../../engine/host-result.js'
import type { Reporter } from '../../engine/reporter.js'
import { Secret } from '../../util/secret.js'
import type { HostPaths } from '../../stack/host-paths.js'
import type { StackService } from '../../stack/services.js'
import type { RemoteHost } from '../../remote/remote-host.js'
import { readSecretArgv } from '../../remote/read-secret.js'
import { credentialFile } from '../../render/bundle.js'
import { recordFile } from '../../steps/credentials.js'
import { converge, writeFiles } from '../../steps/host-steps.js'
import type { SecretIdDecision, SecretIdVault } from '../../steps/secret-id.js'
import { contentSha } from '../../steps/secret-id-record.js'

// The part of a play's host these steps use.
export interface SwapTarget {
  host: { name: string; root: string; project: string; role: string }
  paths: HostPaths
  remote: RemoteHost
  result: HostOutcome
}

export interface SwapDeps {
  vault: SecretIdVault
  reporter: Reporter
}

// The secret-id file the host runs on now, read into memory to put back if the agent refuses the new one.
export async function readOldSecretId(h: SwapTarget, deps: SwapDeps, path: string, sha: string): Promise<Secret | undefined> {
  const r = await h.remote.exec(readSecretArgv(path))
  const value = r.code === 0 ? new Secret(r.stdout) : undefined
  // only a copy that is exactly the file the state read saw can be put back
  if (value && contentSha(value.reveal()) === sha) return value
  warnHost(h.result, 'the current secret-id could not be read back: if the agent cannot log in with the new one, it cannot be put back', deps.reporter)
  return undefined
}

// The agent could not log in with the new secret-id: the old file and its record go back (an
// unrecorded, adopted one too), the agent restarts on it, and the new one is destroyed. Returns
// whether the old one was put back.
export async function putBackSecretId(
  h: SwapTarget, deps: SwapDeps,
  // groups: what restarts on the old one (the agent alone; setup also restarts the app it owes a restart)
  swap: { minted: string; old: Secret | undefined; decision: SecretIdDecision; fileSha: string | undefined; waitTimeoutS: number; groups?: StackService[][] },
): Promise<boolean> {
  const { decision, fileSha, old } = swap
  if (old === undefined) {
    warnHost(h.result, `the new secret-id (accessor ${swap.minted}) stays on the host: there is no previous one to put back`, deps.reporter)
    return false
  }
  const previous = decision.action === 'mint' ? decision.previous : undefined
  let restored = false
  try {
    await writeFiles(h.remote, [], [credentialFile(h.host.root, 'secret-id', old.reveal()), recordFile(h.paths, { current: previous ? { accessor: previous, sha256: fileSha } : undefined, owed: decision.owed })])
    restored = true
    await destroyMinted(h, deps, swap.minted)
    await converge(h.remote, { paths: h.paths, project: h.host.project, up: false, groups: swap.groups ?? [['vault-agent']], waitSeconds: swap.waitTimeoutS })
  } catch (error) {
    warnHost(h.result, `putting the previous secret-id back did not complete: ${(error as Error).message}; run authctl status -l ${h.host.name} to see which secret-id the host holds`, deps.reporter)
  }
  return restored
}

// Destroys a secret-id this run minted; a failure is a warning on the host (in --json too) with the command that finishes it.
export async function destroyMinted(h: Pick<SwapTarget, 'host' | 'result'>, deps: SwapDeps, accessor: string): Promise<void> {
  try {
    await deps.vault.destroySecretIdAccessor(h.host.role, accessor)
    deps.reporter.event(h.host.name, `destroyed secret-id accessor ${accessor}`)
  } catch (error) {
    warnHost(h.result, `could not destroy secret-id accessor ${accessor}: ${(error as Error).message}; destroy it with: vault write auth/approle/role/${h.host.role}/secret-id-accessor/destroy secret_id_accessor=${accessor}`, deps.reporter)
  }
}
