// What a failed secret-id swap left on the host, and what authctl may do about it. Shared by setup,
// regen-secret-id and adopt, so that each treats a cut connection the same way: a secret-id the host
// may hold is never destroyed, and nothing is put back over a file whose content is not known.
import { ConvergeError, WriteError } from './host-steps.js'

// unknown: cut, timed out or interrupted after the write started (the host may hold either secret-id);
// no-login: every file is in place and the agent did not come back with the new one;
// in-place: the write stopped after the new secret-id file was renamed into place;
// not-written: the host provably never got the new secret-id
export type SwapOutcome = 'unknown' | 'no-login' | 'in-place' | 'not-written'

// Classifies the error a swap's write (and restart) ended with.
export function swapOutcome(error: unknown, secretIdPath: string): SwapOutcome {
  if ((error instanceof WriteError || error instanceof ConvergeError) && error.unknown) return 'unknown'
  if (error instanceof ConvergeError) return 'no-login'
  if (error instanceof WriteError && error.written.includes(secretIdPath)) return 'in-place'
  return 'not-written'
}

// The warning for an unknown outcome: what is left live and how the next run settles it.
export function unknownSwapWarning(host: string, minted: string, previous: string | undefined): string {
  const both = previous ? `the new secret-id (accessor ${minted}) and the previous one (accessor ${previous})` : `the new secret-id (accessor ${minted})`
  return `the outcome of the secret-id swap is unknown (the command was cut after the write started): the host holds either secret-id, so ${both} stay valid and the new one is recorded as pending; nothing was put back. authctl status -l ${host} tells which one the file holds; the next run settles it and destroys the one the host does not hold`
}
