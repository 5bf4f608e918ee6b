// Round trip 2: create directories and write every changed file atomically (temp file in the same
// folder, fsync, rename), contents streamed over stdin one after another, never in a command line.
import { rootScript } from './sudo.js'

// Arguments come in groups: `d MODE UID GID PATH` or `f MODE UID GID SIZE PATH`; file bodies are
// read from stdin in the same order with `head -c SIZE`, which never reads past SIZE bytes.
// Root never follows or chowns a name another uid could swap: a folder is made or fixed only under
// a folder root alone controls, and a file is built, chowned and chmodded in such a folder (its own,
// or the one above when the agent owns it), then renamed into place with `mv -T`, which replaces a
// planted symlink and refuses a planted directory.
export const WRITE_SCRIPT = `set -eu
tmp=
trap '[ -n "$tmp" ] && rm -f -- "$tmp"' EXIT
trap '[ -n "$tmp" ] && rm -f -- "$tmp"; exit 1' HUP INT TERM PIPE
fail() { echo "authctl: $*" >&2; exit 1; }
# true when only root can change names in folder $1 (a real path): it is uid 0's and not group or
# other writable, and so is every folder above it, which may instead be sticky (/tmp)
trusted() {
  p=$1 sticky=0
  while :; do
    s=$(stat -c '%u %a' -- "$p") || return 1
    set -- $s
    [ "$1" -eq 0 ] || return 1
    [ $((0$2 & 022)) -eq 0 ] || { [ $sticky = 1 ] && [ $((0$2 & 01000)) -ne 0 ]; } || return 1
    [ "$p" = / ] && return 0
    p=$(dirname -- "$p") sticky=1
  done
}
while [ $# -gt 0 ]; do
  case $1 in
    d) [ -L "$5" ] && fail "$5 is a symbolic link; authctl does not follow links it did not make"
       parent=$(dirname -- "$5")
       until [ -d "$parent" ]; do parent=$(dirname -- "$parent"); done
       real=$(readlink -e -- "$parent")
       trusted "$real" || fail "$real can be changed by a user other than root; refusing to make or chown $5 in it"
       if [ -e "$5" ]; then
         s=$(stat -c '%a' -- "$5")
         [ $((0$s & 022)) -eq 0 ] || fail "$5 is writable by other users; authctl will not take over a shared folder"
       fi
       install -d -m "$2" -o "$3" -g "$4" -- "$real\${5#"$parent"}"; shift 5 ;;
    f) folder=$(readlink -e -- "$(dirname -- "$6")") && [ -d "$folder" ] || fail "the folder of $6 does not exist"
       stage=$folder
       trusted "$stage" || stage=$(dirname -- "$folder")
       trusted "$stage" || fail "neither $folder nor the folder above it is root's alone; refusing to write $6"
       [ "$(stat -c %d -- "$stage")" = "$(stat -c %d -- "$folder")" ] || fail "$folder is another file system than $stage; cannot rename into it atomically"
       target=$folder/\${6##*/}
       if [ -d "$target" ] && [ ! -L "$target" ]; then fail "$6 is a folder where a file belongs; remove it"; fi
       tmp=$(mktemp -- "$stage/.authctl-tmp.XXXXXX")
       head -c "$5" > "$tmp"
       n=$(wc -c < "$tmp")
       # a cut connection: drop the partial file first (stderr may be gone too)
       [ "$n" -eq "$5" ] || { rm -f -- "$tmp"; tmp=; echo "authctl: short read for $6 ($n of $5 bytes)" >&2; exit 1; }
       chown "$3:$4" -- "$tmp"; chmod "$2" -- "$tmp"
       sync -- "$tmp"
       mv -f -T -- "$tmp" "$target"; tmp=
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
