// Rewrites results/RESULTS.md and results/wall-time.svg from every run saved in results/data.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { wallTimeSvg } from './chart.js'
import { loadPhases } from './phases-report.js'
import { loadSaved, writeMarkdown } from './report.js'

// The results folder beside bench/lib.
export const RESULTS_DIR = join(import.meta.dirname, '..', 'results')
export const DATA_DIR = join(RESULTS_DIR, 'data')

// The tables and the chart from the saved data (what `npm run bench -- --report` does).
export async function writeReport(): Promise<void> {
  const saved = await loadSaved(DATA_DIR)
  await mkdir(RESULTS_DIR, { recursive: true })
  await writeMarkdown(RESULTS_DIR, saved, await loadPhases(DATA_DIR))
  await writeFile(join(RESULTS_DIR, 'wall-time.svg'), wallTimeSvg(saved))
}
