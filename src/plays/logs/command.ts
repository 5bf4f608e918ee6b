// Wires `authctl logs` to the inventory and SSH: the selected hosts' compose logs, each line prefixed
// with its host; Ctrl-C (or a closed stdout, as with `| head`) ends a follow cleanly.
import { withHosts, type HostSelectionInput } from '../../wiring/context.js'
import { hostLinePrinter } from './host-lines.js'
import type { LogService } from '../../remote/logs-argv.js'
import { runLogs, type LogsResult } from './play.js'

// The logs command's flags, parsed (since already in docker's form).
export interface LogsCommandInput extends HostSelectionInput {
  services: readonly LogService[]
  tail?: number
  since?: string
  follow: boolean
  argv: readonly string[]
}

// Lines per service when neither --tail nor --since says otherwise (docker's default is all of them).
const DEFAULT_TAIL = 100

// Prints (or follows) the logs of every selected host until done or Ctrl-C.
export async function logsCommand(input: LogsCommandInput): Promise<LogsResult> {
  return withHosts({ ...input, json: false, command: ['logs'] }, async (session) => {
    const names = session.selection.hosts.map((h) => h.name)
    const colour = Boolean(process.stdout.isTTY) && !session.env.NO_COLOR
    const print = hostLinePrinter(names, { stdout: process.stdout, stderr: process.stderr }, colour)
    // a reader that went away (EPIPE) ends the run like Ctrl-C
    const closed = new AbortController()
    const onError = () => closed.abort()
    process.stdout.on('error', onError)
    try {
      return await runLogs(
        session.selection.hosts.map((h) => ({ name: h.name, root: h.vars.authentikRoot, project: h.vars.composeProject })),
        { connect: session.connect, line: print, reporter: session.reporter, signal: AbortSignal.any([session.interrupt.signal, closed.signal]), hardSignal: session.interrupt.hardSignal },
        { services: input.services, tail: input.tail ?? (input.since === undefined ? DEFAULT_TAIL : undefined), since: input.since, follow: input.follow, forks: input.forks },
      )
    } finally {
      process.stdout.off('error', onError)
    }
  })
}
