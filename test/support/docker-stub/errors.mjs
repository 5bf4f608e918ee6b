// @ts-check
// One error type for the stand-in: docker prints the message alone on stderr and exits with a code.

// Why a class: verbs throw it anywhere and main() turns it into docker's stderr line + exit status.
export class StubError extends Error {
  /**
   * @param {string} message text docker would print
   * @param {number} [exitCode] process exit status (compose: 1; 14 file not found; 15 parse failure)
   */
  constructor(message, exitCode = 1) {
    super(message)
    this.exitCode = exitCode
  }
}

// Compose's exit codes for project-loading failures (docker/compose pkg/compose/metrics.go FailureCategory).
export const EXIT_FILE_NOT_FOUND = 14
export const EXIT_PARSE_FAILURE = 15
export const EXIT_SYNTAX = 16
