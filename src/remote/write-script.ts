// Round trip 2: create directories and write every changed file atomically (temp file in the same
// folder, fsync, rename), contents streamed over stdin one after another, never in a command line.
import { rootScript } from './sudo.js'

// Arguments come in groups: `d MODE UID GID PATH` or `f MODE UID GID SIZE PATH`; file bodies are
// read from stdin in the same order with `head -c SIZE`, which never reads past SIZE bytes.
export const WRITE_SCRIPT = `set -eu
tmp=
trap '[ -n "$tmp" ] && rm -f -- "$tmp"' EXIT
trap '[ -n "$tmp" ] && rm -f -- "$tmp"; exit 1' HUP INT TERM PIPE
while [ $# -gt 0 ]; do
  case $1 in
    d) install -d -m "$2" -o "$3" -g "$4" -- "$5"; shift 5 ;;
    f) tmp=$(mktemp -- "$(dirname -- "$6")/.authctl-tmp.XXXXXX")
       head -c "$5" > "$tmp"
       n=$(wc -c < "$tmp")
       # a cut connection: drop the partial file first (stderr may be gone too)
       [ "$n" -eq "$5" ] || { rm -f -- "$tmp"; tmp=; echo "authctl: short read for $6 ($n of $5 bytes)" >&2; exit 1; }
       chown "$3:$4" -- "$tmp"; chmod "$2" -- "$tmp"
       sync -- "$tmp"
       mv -f -- "$tmp" "$6"; tmp=
       printf 'wrote\\t%s\\n' "$6"
       shift 6 ;;
    *) echo "authctl: bad write op $1" >&2; exit 2 ;;
  esac
done
sync
`

export interface DirSpec {
  path: string
  mode: number
  uid: number
  gid: number
}

export interface FileSpec extends DirSpec {
  content: Buffer
}

const octal = (mode: number): string => mode.toString(8).padStart(4, '0')

// The argv and the stdin payload of round trip 2.
export function writeCommand(dirs: readonly DirSpec[], files: readonly FileSpec[]): { argv: string[]; stdin: Buffer } {
  const args: string[] = []
  for (const d of dirs) args.push('d', octal(d.mode), String(d.uid), String(d.gid), d.path)
  for (const f of files) args.push('f', octal(f.mode), String(f.uid), String(f.gid), String(f.content.length), f.path)
  return { argv: rootScript('authctl-write', WRITE_SCRIPT, args), stdin: Buffer.concat(files.map((f) => f.content)) }
}
