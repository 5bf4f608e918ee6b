// Live progress on a terminal: one listr2 line per host showing its latest event, resolved with the
// host's outcome at the end. Only used when both stdout and stderr are terminals and not in --json.
import type { HostResult } from '../engine/host-result.js'
import type { Reporter } from '../engine/reporter.js'

interface Handle {
  setOutput(text: string): void
  setTitle(text: string): void
  done(error?: Error): void
}

export interface LiveReporter extends Reporter {
  close(results: readonly HostResult[]): Promise<void>
}

// Starts the renderer for these hosts; close() settles every line and waits for the renderer.
export async function listrReporter(hosts: readonly string[]): Promise<LiveReporter> {
  const { Listr } = await import('listr2')
  const handles = new Map<string, Handle>()
  const pending = new Map<string, string>()
  const list = new Listr(
    hosts.map((host) => ({
      title: host,
      task: (_ctx: unknown, task: { output: string; title: string }) =>
        new Promise<void>((resolve, reject) => {
          handles.set(host, {
            setOutput: (text) => (task.output = text),
            setTitle: (text) => (task.title = text),
            done: (error) => (error ? reject(error) : resolve()),
          })
          const early = pending.get(host)
          if (early) task.output = early
        }),
    })),
    { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } },
  )
  const running = list.run().catch(() => undefined)
  const show = (host: string, text: string) => {
    const h = handles.get(host)
    if (h) h.setOutput(text)
    else if (hosts.includes(host)) pending.set(host, text)
    else process.stderr.write(`${text}\n`)
  }
  return {
    event: (host, message) => show(host, message),
    warn: (host, message) => show(host, `warning: ${message}`),
    close: async (results) => {
      for (const r of results) {
        const h = handles.get(r.host)
        if (!h) continue
        h.setTitle(`${r.host}: ${r.status}`)
        h.done(r.error && r.error.exitCode !== 0 ? new Error(r.error.message) : undefined)
      }
      for (const h of handles.values()) h.done()
      await running
    },
  }
}
