// The bash and zsh completion scripts `authctl completion SHELL` prints. They hold no list of their
// own: every Tab runs `authctl __complete WORD…` (complete.ts), so commands, flags and the inventory's
// host and group names always match the authctl being run, after an upgrade too.
// (Template literals: `\${` is the shell's `${`, `\\t` its `\t`.)

export const SHELLS = ['bash', 'zsh'] as const
export type Shell = (typeof SHELLS)[number]

const BASH = `# bash completion for authctl: add  source <(authctl completion bash)  to ~/.bashrc, or save this
# output as /etc/bash_completion.d/authctl.
_authctl_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]} line=\${COMP_LINE:0:COMP_POINT} cli=\${COMP_WORDS[0]} out value head='' breaks=''
  local -a words
  [[ $cli == '~/'* ]] && cli=$HOME/\${cli#'~/'}
  # the words up to the cursor, split at blanks only (bash's COMP_WORDS are also split at : and =)
  read -ra words <<<"$line"
  [[ $line =~ [[:space:]]$ ]] && words+=('')
  out=$("$cli" __complete "\${words[@]:1}" 2>/dev/null) || return 0
  if [[ $out == :files ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return 0
  fi
  # candidates are whole words; bash replaces only what follows the word's last : or = (COMP_WORDBREAKS)
  [[ $COMP_WORDBREAKS == *:* ]] && breaks+=':'
  [[ $COMP_WORDBREAKS == *=* ]] && breaks+='='
  [[ -n $breaks ]] && head=\${words[-1]%"\${words[-1]##*[$breaks]}"}
  COMPREPLY=()
  while IFS= read -r value; do
    value=\${value%%$'\\t'*}
    [[ -n $value ]] && COMPREPLY+=("\${value#"$head"}")
  done <<<"$out"
  return 0
}
complete -F _authctl_complete authctl
`

const ZSH = `#compdef authctl
# zsh completion for authctl: add  source <(authctl completion zsh)  to ~/.zshrc after compinit, or save
# this output as _authctl in a folder of $fpath.
_authctl() {
  local out line
  local -a values shown
  out=$("\${(Q)words[1]}" __complete "\${(@Q)words[2,CURRENT]}" 2>/dev/null) || return 1
  if [[ $out == :files ]]; then
    _files
    return
  fi
  for line in "\${(@f)out}"; do
    [[ -z $line ]] && continue
    values+=("\${line%%$'\\t'*}")
    if [[ $line == *$'\\t'* ]]; then shown+=("\${line%%$'\\t'*}  -- \${line#*$'\\t'}"); else shown+=("$line"); fi
  done
  (( \${#values} )) || return 1
  compadd -l -d shown -- "\${values[@]}"
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _authctl "$@"
else
  compdef _authctl authctl
fi
`

// The script for one shell.
export function completionScript(shell: Shell): string {
  return shell === 'bash' ? BASH : ZSH
}
