import { describe, expect, it } from 'vitest'
import { OutputCollector } from '../../../src/transport/output-collector.js'

type Line = [stream: 'stdout' | 'stderr', line: string]

function streamed(): { collector: OutputCollector; lines: Line[] } {
  const lines: Line[] = []
  const collector = new OutputCollector(1024, (stream, line) => lines.push([stream, line]), () => undefined)
  return { collector, lines }
}

// Feeds `bytes` cut after every offset in `cuts`.
function feed(c: OutputCollector, stream: 'stdout' | 'stderr', bytes: Buffer, cuts: number[]): void {
  let at = 0
  for (const cut of [...cuts, bytes.length]) {
    c.add(stream, bytes.subarray(at, cut))
    at = cut
  }
}

describe('OutputCollector', () => {
  it('streams a character whose bytes arrive in two chunks whole (a host name, a path in another script)', () => {
    const text = 'host1: café ✓ 🔒 done\nnext line\n'
    const bytes = Buffer.from(text, 'utf8')
    const { collector, lines } = streamed()
    // cuts inside é (2 bytes), ✓ (3 bytes) and 🔒 (4 bytes)
    const inside = [text.indexOf('é'), text.indexOf('✓'), text.indexOf('🔒')].map((i) => Buffer.byteLength(text.slice(0, i)) + 1)
    feed(collector, 'stdout', bytes, inside)
    collector.result()
    expect(lines).toEqual([['stdout', 'host1: café ✓ 🔒 done'], ['stdout', 'next line']])
  })

  it('streams every one-byte cut of a multi-byte text unchanged, stdout and stderr apart', () => {
    const text = 'ünïcödé 日本 🔒\nzwei\n'
    const bytes = Buffer.from(text, 'utf8')
    for (let cut = 1; cut < bytes.length; cut++) {
      const { collector, lines } = streamed()
      feed(collector, 'stdout', bytes, [cut])
      feed(collector, 'stderr', Buffer.from('err ü\n'), [5])
      collector.result()
      expect(lines.filter(([s]) => s === 'stdout').map(([, l]) => l), `cut at byte ${cut}`).toEqual(['ünïcödé 日本 🔒', 'zwei'])
      expect(lines.filter(([s]) => s === 'stderr').map(([, l]) => l)).toEqual(['err ü'])
    }
  })

  it('flushes a last line without a newline at the end, and a bad byte as the replacement character', () => {
    const { collector, lines } = streamed()
    collector.add('stdout', Buffer.from([0x61, 0x0a, 0x62, 0xc3]))
    collector.result()
    expect(lines).toEqual([['stdout', 'a'], ['stdout', 'b\uFFFD']])
  })

  it('keeps output whole when not streaming, and calls onOverflow once past the cap, keeping nothing more', () => {
    let overflows = 0
    const c = new OutputCollector(8, undefined, () => overflows++)
    c.add('stdout', Buffer.from('caf\xc3', 'latin1'))
    c.add('stdout', Buffer.from([0xa9]))
    expect(c.result()).toEqual({ stdout: 'café', stderr: '' })
    c.add('stderr', Buffer.from('12345'))
    c.add('stderr', Buffer.from('6'))
    expect(overflows).toBe(1)
    c.add('stderr', Buffer.from('7'))
    expect(overflows).toBe(1)
  })
})
