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
nl='
'
# up PATH: sets $up to the folder above PATH without starting a process (the paths here are absolute
# and normalised: authctl's own, validated by host-path.ts, or readlink -e output)
up() { up=\${1%/*}; [ -n "$up" ] || up=/; }
# Folders found root's alone, a line each: a run writes several files into the same few folders and
# each check walks up to / with a process a level, so a folder is checked once (a d op below that hands
# a folder to another uid forgets it and every folder under it)
ok=$nl
forget() {
  keep=$nl
  set -f; IFS=$nl
  for f in $ok; do case $f in "$1" | "$1"/*) ;; *) keep=$keep$f$nl ;; esac; done
  unset IFS; set +f
  ok=$keep places=
}
# where each folder's files are staged, a line each: "folder<TAB>real folder<TAB>staging folder"
places=
tab='	'
# true when only root can change names in folder $1 (a real path): it is uid 0's and not group or
# other writable, and so is every folder above it, which may instead be sticky (/tmp)
trusted() {
  start=$1 p=$1 sticky=0
  while :; do
    case $ok in *"$nl$p$nl"*) break ;; esac
    s=$(stat -c '%u %a' -- "$p") || return 1
    set -- $s
    [ "$1" -eq 0 ] || return 1
    [ $((0$2 & 022)) -eq 0 ] || { [ $sticky = 1 ] && [ $((0$2 & 01000)) -ne 0 ]; } || return 1
    [ "$p" = / ] && break
    up "$p"; p=$up sticky=1
  done
  ok=$ok$start$nl
}
# the folders whose entries changed, a line each: fsynced once at the end so every rename is on disk
dirs=
changed() { case $nl$dirs in *"$nl$1$nl"*) ;; *) dirs=$dirs$1$nl ;; esac; }
while [ $# -gt 0 ]; do
  case $1 in
    d) [ -L "$5" ] && fail "$5 is a symbolic link; authctl does not follow links it did not make"
       up "$5"; parent=$up
       until [ -d "$parent" ]; do up "$parent"; parent=$up; done
       real=$(readlink -e -- "$parent")
       trusted "$real" || fail "$real can be changed by a user other than root; refusing to make or chown $5 in it"
       if [ -e "$5" ]; then
         s=$(stat -c '%a' -- "$5")
         [ $((0$s & 022)) -eq 0 ] || fail "$5 is writable by other users; authctl will not take over a shared folder"
       fi
       install -d -m "$2" -o "$3" -g "$4" -- "$real\${5#"$parent"}"
       changed "$real"
       # a folder handed to another uid (or opened to others) is no longer known to be root's alone
       if [ "$3" -ne 0 ] || [ $((0$2 & 022)) -ne 0 ]; then forget "$real\${5#"$parent"}"; fi
       shift 5 ;;
    f) up "$6"; dir=$up
       # where a folder's files are staged is worked out once for all the files that share it
       case $nl$places in
         *"$nl$dir$tab"*) p=$nl$places; p=\${p#*"$nl$dir$tab"}; p=\${p%%"$nl"*}; folder=\${p%"$tab"*} stage=\${p#*"$tab"} ;;
         *) folder=$(readlink -e -- "$dir") && [ -d "$folder" ] || fail "the folder of $6 does not exist"
            case $folder in *"$nl"* | *"$tab"*) fail "$folder: a folder name with a newline or tab is not supported" ;; esac
            stage=$folder
            if ! trusted "$stage"; then
              up "$folder"; stage=$up
              trusted "$stage" || fail "neither $folder nor the folder above it is root's alone; refusing to write $6"
              devs=$(stat -c %d -- "$stage" "$folder")
              [ "\${devs%"$nl"*}" = "\${devs#*"$nl"}" ] || fail "$folder is another file system than $stage; cannot rename into it atomically"
            fi
            places=$places$dir$tab$folder$tab$stage$nl
            changed "$folder" ;;
       esac
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
    # what follows is for a script run after this one (write-converge-script.ts)
    --then) shift; break ;;
    *) echo "authctl: bad write op $1" >&2; exit 2 ;;
  esac
done
# split on newlines only, no globbing
if [ -n "$dirs" ]; then set -f; IFS=$nl; sync -- $dirs; unset IFS; set +f; fi
`

// Exit codes of the lock prefix: another run holds the lock, or a file changed since the state read.
export const WRITE_EXIT = { lockHeld: 3, changed: 4 } as const

// Run before the write script when the run takes the lock in its write trip (a no-change run never
// locks): take the lock (or find it already ours), then check that every path still has the checksum
// the state read saw ('-' for absent, 'other' for a directory or link); only then write.
// $1 lock dir, $2 our lock details, then "sha path" pairs, then "--", then the write script's arguments.
export const WRITE_LOCK_PREFIX = `lock=$1 details=$2; shift 2
mkdir -p -- "$(dirname -- "$lock")" || exit 1
if mkdir -m 0700 -- "$lock" 2>/dev/null; then
  printf '%s\\n' "$details" > "$lock/details.json"
elif [ "$(cat -- "$lock/details.json" 2>/dev/null)" != "$details" ]; then
  printf 'locked\\t%s\\n' "$(head -c 4096 "$lock/details.json" 2>/dev/null | tr -d '\\n')"
  exit ${WRITE_EXIT.lockHeld}
fi
while [ "$1" != -- ]; do
  want=$1 path=$2; shift 2
  if [ -L "$path" ] || { [ -e "$path" ] && [ ! -f "$path" ]; }; then have=other
  elif [ -f "$path" ]; then have=$(sha256sum -- "$path" | cut -c1-64)
  else have=-; fi
  [ "$have" = "$want" ] || { printf 'changed\\t%s\\n' "$path"; exit ${WRITE_EXIT.changed}; }
done
shift
`

// Taking the lock in the write trip, and what the state read saw at each path.
export interface WriteLock {
  dir: string
  details: string
  // sha256 of the file, '-' when absent, 'other' for anything but a regular file
  expect: readonly { path: string; sha256: string }[]
}

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

// The script, its arguments and the stdin payload of a write (with the lock prefix when it takes the lock).
export function writeParts(dirs: readonly DirSpec[], files: readonly FileSpec[], lock?: WriteLock): { script: string; args: string[]; stdin: Buffer } {
  const args: string[] = []
  for (const d of dirs) args.push('d', octal(d.mode), String(d.uid), String(d.gid), d.path)
  for (const f of files) args.push('f', octal(f.mode), String(f.uid), String(f.gid), String(f.content.length), f.path)
  const stdin = Buffer.concat(files.map((f) => f.content))
  if (lock === undefined) return { script: WRITE_SCRIPT, args, stdin }
  const expect = lock.expect.flatMap((e) => [e.sha256, e.path])
  return { script: WRITE_LOCK_PREFIX + WRITE_SCRIPT, args: [lock.dir, lock.details, ...expect, '--', ...args], stdin }
}

// The argv and the stdin payload of round trip 2.
export function writeArgv(dirs: readonly DirSpec[], files: readonly FileSpec[], lock?: WriteLock): { argv: string[]; stdin: Buffer } {
  const { script, args, stdin } = writeParts(dirs, files, lock)
  return { argv: rootScript('authctl-write', script, args), stdin }
}
