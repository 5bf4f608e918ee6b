// The agents' read policy of the runbook's Step 1, for any KV mount and folder. With the runbook's
// defaults the text is the runbook's own, byte for byte, so a Vault set up by hand reads as unchanged.

// Paths are inventory values already checked as segments of [A-Za-z0-9_.-], so they need no escaping.
export function agentReadPolicyHcl(kvMount: string, kvPath: string): string {
  return `path "${kvMount}/data/${kvPath}/*" {
  capabilities = ["read", "list"]
}
path "${kvMount}/metadata/${kvPath}/*" {
  capabilities = ["read", "list"]
}
`
}
