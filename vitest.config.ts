import { defineConfig } from 'vitest/config'
import { ShuffledSequencer } from './test/support/shuffled-sequencer.js'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real sshd hosts and a Vault test server: give them room on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 4,
    // Files in a seeded random order (printed; AUTHCTL_TEST_SEED replays it). Tests inside a file keep
    // their order: several files are deliberate sequences of steps on one bed (their header says so).
    sequence: { sequencer: ShuffledSequencer },
  },
})
