// Remote text shown to a person: control characters and escape sequences from a host (which may be
// compromised) must never reach the operator's terminal. Tabs become spaces; anything else invisible goes.
// eslint-disable-next-line no-control-regex
const CONTROL = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)?|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

// One line of remote output, safe to print.
export function sanitizeRemote(text: string): string {
  return text.replace(/\t/g, ' ').replace(CONTROL, '')
}
