// Text a host sent (log lines, lock details, error output) made safe to print: escape sequences and
// control characters are removed so a hostile or broken host cannot rewrite the operator's terminal.
// Local stand-in until the shared sanitize function (src/output/sanitize.ts) lands; then use that.

// CSI and OSC escape sequences (colours, cursor moves, window titles) with their parameters.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]/g
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g

// One printable line: escapes dropped, tabs kept as spaces, every other control character removed.
export function plainText(text: string): string {
  return text.replace(ESCAPES, '').replace(/\t/g, '  ').replace(CONTROLS, '')
}
