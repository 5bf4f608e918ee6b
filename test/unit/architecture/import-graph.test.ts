import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// The layers of ARCHITECTURE.md, top first: a module may import only from a lower layer (or its own folder).
// plays/<use-case>/ folders share through plays/shared/ only, never through each other.
const LAYERS: readonly (readonly string[])[] = [
  ['commands'],
  ['base-command', 'flags', 'completion', 'hooks'],
  ['plays/<use-case>'],
  ['plays/shared'],
  ['wiring'],
  ['db', 'output', 'vault'],
  ['engine', 'local-process', 'secrets', 'transport'],
  ['steps'],
  ['render'],
  ['remote'],
  ['stack', 'inventory'],
  ['util'],
  ['errors'],
]

const SRC = join(import.meta.dirname, '../../../src')
const IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

// Every relative import (value, type-only and dynamic) of every file under src/, as src-relative paths.
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles(SRC)) {
    const targets: string[] = []
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), m[1] as string).replace(/\.js$/, '.ts')
      if (existsSync(target)) targets.push(relative(SRC, target))
    }
    graph.set(relative(SRC, file), targets)
  }
  return graph
}

// The module a file belongs to: its top folder, plays/<name> for a play, or the file name at the top.
function moduleOf(file: string): string {
  const parts = file.split('/')
  if (parts.length === 1) return (parts[0] as string).replace(/\.ts$/, '')
  if (parts[0] === 'plays' && parts.length > 2) return `plays/${parts[1]}`
  return parts[0] as string
}

function layerOf(module: string): number {
  const key = module.startsWith('plays/') && module !== 'plays/shared' ? 'plays/<use-case>' : module
  return LAYERS.findIndex((layer) => layer.includes(key))
}

// Strongly connected components with more than one member (or a self-import): the cycles.
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const found: string[][] = []
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number))
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop() as string
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return found
}

describe('the import graph of src/', () => {
  const graph = importGraph()
  const edges = [...graph].flatMap(([from, targets]) => targets.map((to) => ({ from, to, a: moduleOf(from), b: moduleOf(to) })))

  it('has no file cycle, type-only imports included', () => {
    expect(cycles(graph)).toEqual([])
  })

  it('has no cycle between folders', () => {
    const folders = new Map<string, string[]>()
    for (const e of edges) if (e.a !== e.b) folders.set(e.a, [...(folders.get(e.a) ?? []), e.b])
    expect(cycles(folders)).toEqual([])
  })

  it('places every module in a layer', () => {
    expect([...new Set(edges.flatMap((e) => [e.a, e.b]))].filter((m) => layerOf(m) < 0)).toEqual([])
  })

  it('points only down the layers', () => {
    const upward = edges.filter((e) => e.a !== e.b && layerOf(e.a) >= layerOf(e.b)).map((e) => `${e.from} -> ${e.to}`)
    expect(upward).toEqual([])
  })

  // The checks themselves can fail: a planted circle and an upward import are found.
  it('finds a planted cycle and an upward import', () => {
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']], ['c.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts']])
    expect(layerOf(moduleOf('util/sleep.ts')) >= layerOf(moduleOf('engine/run-play.ts'))).toBe(true)
    expect(layerOf(moduleOf('plays/setup/play.ts'))).toBe(layerOf(moduleOf('plays/status/play.ts')))
  })
})
