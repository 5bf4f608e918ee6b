// What a host should have: directories and files with owner and mode. The render module produces
// the templated ones; the setup play adds the AppRole credentials and authctl's bookkeeping.

export interface DesiredDir {
  path: string
  mode: number
  uid: number
  gid: number
}

// `restarts` says what a change of this file requires; `secret` masks it in diffs and output.
export interface DesiredFile extends DesiredDir {
  content: Buffer | string
  secret: boolean
  restarts: 'compose-up' | 'agent' | 'none'
}

export interface DesiredState {
  dirs: DesiredDir[]
  files: DesiredFile[]
}
