// Status checks of the running stack: each compose service running and healthy, and the agent's
// rendered .env present in /vault/secrets, which must be a tmpfs (secrets never on disk).
import type { ServiceState } from '../../remote/parse-state.js'
import { CONTAINER } from '../../stack/layout.js'
import { STACK_SERVICES } from '../../stack/services.js'
import { firstOf, pass, problem, skip, type Check, type CheckInput } from './check.js'

const healthy = (s: ServiceState) => s.state === 'running' && (s.health === '' || s.health === 'healthy')
const agentRunning = (input: CheckInput) => input.facts.state.services.some((s) => s.service === 'vault-agent' && s.state === 'running')
const logsHint = (input: CheckInput) => `authctl logs -l ${input.host.name} --service vault-agent --tail 50 shows why.`

// Fails unless every service runs and is healthy.
export function checkServices(input: CheckInput): Check {
  const { facts, host } = input
  if (facts.dockerError !== undefined) return problem('services', 'fail', `docker: ${facts.dockerError}`, { hint: `Check Docker on ${host.name} (systemctl status docker), or run authctl setup -l ${host.name}.` })
  const data: Record<string, string> = {}
  const wrong: string[] = []
  for (const name of STACK_SERVICES) {
    const s = facts.state.services.find((x) => x.service === name)
    data[name] = s ? [s.state, s.health].filter((x) => x !== '').join('/') : 'missing'
    if (!s) wrong.push(`${name}: no container`)
    else if (!healthy(s)) wrong.push(`${name}: ${data[name]}`)
  }
  if (wrong.length > 0) return problem('services', 'fail', firstOf(wrong), { hint: `${logsHint(input)} authctl restart -l ${host.name} restarts the stack.`, details: wrong, data })
  return pass('services', `${STACK_SERVICES.join(', ')} running and healthy`, data)
}

// Fails when the agent's rendered .env is missing or empty.
export function checkEnv(input: CheckInput): Check {
  if (input.facts.envProbe === undefined || !agentRunning(input)) return skip('env', 'not checked: vault-agent is not running')
  if (input.facts.envProbe === 0) return pass('env', `${CONTAINER.envFile} rendered`)
  return problem('env', 'fail', `${CONTAINER.envFile} is missing or empty: server and worker have no secrets`, {
    hint: `The agent renders it after a login; ${logsHint(input)}`,
  })
}

// Fails when /vault/secrets is not a tmpfs.
export function checkTmpfs(input: CheckInput): Check {
  const fs = input.facts.secretsFs
  if (fs === undefined || !agentRunning(input)) return skip('tmpfs', 'not checked: vault-agent is not running')
  if (fs.code !== 0) return problem('tmpfs', 'fail', `${CONTAINER.secretsDir} could not be examined in vault-agent (exit ${fs.code})`)
  if (fs.type === 'tmpfs') return pass('tmpfs', `${CONTAINER.secretsDir} is a tmpfs`)
  return problem('tmpfs', 'fail', `${CONTAINER.secretsDir} is on ${fs.type || 'an unknown filesystem'}, not a tmpfs: rendered secrets reach the disk`, {
    hint: `authctl setup -l ${input.host.name} restores the tmpfs volume of the compose file.`,
  })
}
