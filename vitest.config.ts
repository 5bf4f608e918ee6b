import { defineConfig } from 'vitest/config'
import { ShuffledSequencer, TEST_SEED } from './test/support/shuffled-sequencer.js'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
  },
})
