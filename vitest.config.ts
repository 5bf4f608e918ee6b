import { defineConfig } from 'vitest/config'
import { ShuffledSequencer, TEST_SEED } from './test/support/shuffled-sequencer.js'

export default defineConfig({
  test: {
    // Integration tests start real sshd hosts and a Vault test server: give them room on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 4,
    // Files, and the describes and tests inside them, in an order shuffled by one seed (printed;
    // AUTHCTL_TEST_SEED replays it): whatever runs first, every file and every describe must pass. A
    // describe whose tests are steps of one story on one bed says so with { shuffle: false }: its tests keep
    // their order, the describe itself is still shuffled among the others.
    sequence: { sequencer: ShuffledSequencer, shuffle: { files: false, tests: true }, seed: TEST_SEED },
    projects: [
      // No bed, no process-wide state: one module graph shared by the files of a worker thread (a fork and a
      // fresh import of src/ for each of 86 files cost the suite 18 s of CPU, measured).
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'threads', isolate: false } },
      // Beds, module-level state and child processes: a process of its own for every file.
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts', 'test/fuzz/**/*.test.ts'] } },
    ],
  },
})
