#!/usr/bin/env zsh
# What zsh completes for a command line, non-interactively: starts an interactive zsh in a pty
# (zsh/zpty), loads compinit and the completion script, replaces compadd with one that prints each
# match, types the line and a Tab. After the technique of Valodim/zsh-capture-completion (MIT).
# usage: zsh zsh-capture.zsh <completion script> <command line>   (matches on stdout, one per line)
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
local line
setopt rcquotes
() {
  zpty -w z source $1
  repeat 4; do
    zpty -r z line
    [[ $line == ok* ]] && return
  done
  echo 'error initializing.' >&2
  exit 2
} =( <<< '
PROMPT=
autoload -U compinit
compinit -u -D
fpath=()
bindkey ''^M'' undefined
bindkey ''^J'' undefined
bindkey ''^I'' complete-word
null-line () { echo -E - $''\0'' }
compprefuncs=( null-line )
comppostfuncs=( null-line exit )
zstyle '':completion:*:default'' list-colors ''no=<COLOR>''
zstyle '':completion:*'' list-separator ''''
zstyle '':completion:*'' format ''''
compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  [[ -n $__hits ]] || return
  typeset -a __dscr
  if (( $@[(I)-d] )); then __dscr=( "${(@P)${@[$[${@[(I)-d]}+1]]}}" ); fi
  for i in {1..$#__hits}; do
    echo -E - "${__hits[$i]}"
  done
}
source '"$1"'
echo ok')
zpty -w z "$2"$'\t'
integer tog=0
while zpty -r z; do :; done | while IFS= read -r line; do
  if [[ $line == *$'\0\r' ]]; then (( tog++ )) && return 0 || continue; fi
  (( tog )) && echo -E - $line
done
return 2
