// The stack's compose services, in start order: the agent renders .env before server and worker can start.
export const STACK_SERVICES = ['vault-agent', 'server', 'worker'] as const
export type StackService = (typeof STACK_SERVICES)[number]
