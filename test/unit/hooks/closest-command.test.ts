// The command a typo most likely meant, and none when the word is too far from every command.
import { describe, expect, it } from 'vitest'
import { closestCommand } from '../../../src/hooks/closest-command.js'

const COMMANDS = ['setup', 'restart', 'status', 'inventory', 'lock status', 'lock release', 'rotate-db-password', 'rotate-secret-key', 'regen-secret-id', 'adopt']

describe('closestCommand', () => {
  it.each([
    ['stup', 'setup'],
    ['setpu', 'setup'],
    ['inventroy', 'inventory'],
    ['restrat', 'restart'],
    ['lock stauts', 'lock status'],
    ['rotate-db-pasword', 'rotate-db-password'],
    ['regen-secretid', 'regen-secret-id'],
  ])('%s → %s', (typed, meant) => {
    expect(closestCommand(typed, COMMANDS)).toBe(meant)
  })

  it.each(['deploy', 'x', 'kubectl', 'rotate'])('%s: no suggestion', (typed) => {
    expect(closestCommand(typed, COMMANDS)).toBeUndefined()
  })
})
