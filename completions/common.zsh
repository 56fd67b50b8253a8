# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# ---- numashift common: the same text in the four tools' files --------------
# (tests/host/completion-shells.bats checks that they do not drift apart).

# Where the tool reads /proc and /sys: --sysroot on the line, else
# NUMASHIFT_SYSROOT, else the machine.
(( $+functions[_numashift_root] )) ||
_numashift_root() {
  local i=${words[(I)--sysroot(|=*)]} r=$NUMASHIFT_SYSROOT
  if (( i )); then
    if [[ $words[i] == --sysroot=* ]]; then r=${words[i]#--sysroot=}; else r=$words[i+1]; fi
  fi
  print -r -- ${r%/}
}

(( $+functions[_numashift_node_ids] )) ||
_numashift_node_ids() {
  local d
  for d in $(_numashift_root)/sys/devices/system/node/node<->(N/on); do
    print -r -- ${d##*/node}
  done
}

# A node list in numactl's syntax: ids (comma lists of the nodes not yet
# named), ranges, "all", "!LIST".
(( $+functions[_numashift_nodes] )) ||
_numashift_nodes() {
  local -a ids
  ids=( $(_numashift_node_ids) )
  compset -P '!'
  if compset -P '*-'; then
    _wanted nodes expl 'last node' compadd -a ids
    return
  fi
  _sequence -s , _wanted nodes expl node compadd - $ids all
}

# PID lists: zsh's _pids shows each PID with its command.
(( $+functions[_numashift_pid_list] )) ||
_numashift_pid_list() { _sequence -s , _pids }

# Column names for -o from the tool's own --help, for the view on the line.
(( $+functions[_numashift_columns] )) ||
_numashift_columns() {
  local section=Process
  local -a cols
  if (( ${words[(I)-m|--mappings]} )); then section=Mapping
  elif (( ${words[(I)--pages]} )); then section='Page run'
  elif (( ${words[(I)--topology]} )); then section=Node
  elif (( ${words[(I)--dry-run]} )); then section=Plan
  fi
  cols=( ${(f)"$(_call_program columns ${(q)words[1]} --help 2>/dev/null | awk -v want="$section columns" '
    /^[A-Za-z]/ && /[Cc]olumns.*:$/ { on = index($0, want) == 1 ? 1 : $0 == "Columns:" ? 2 : 0; next }
    /^$/ { on = 0 }
    on && /^  [A-Z][A-Z0-9-]*  / { c[on] = c[on] $1 "\n" }
    END { printf "%s", (1 in c) ? c[1] : c[2] }')"} )
  (( ${cols[(I)NODES]} )) && cols+=( N${^$(_numashift_node_ids)} )
  compset -P '+'
  _sequence -s , _wanted columns expl column compadd -M 'm:{a-z}={A-Z}' - $cols
}

# --vma SPEC: $@ are the kinds; file=GLOB completes files after '='.
(( $+functions[_numashift_vma] )) ||
_numashift_vma() {
  if compset -P 'file='; then
    _files
    return
  fi
  local k
  for k in "$@"; do
    if [[ $k == *= ]]; then compadd -S '' -- $k; else compadd -- $k; fi
  done
}

(( $+functions[_numashift_cgroups] )) ||
_numashift_cgroups() {
  local mnt=${$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts 2>/dev/null):-/sys/fs/cgroup}
  if [[ $PREFIX == /* || -z $PREFIX ]]; then
    _alternative "cgroups:cgroup:_path_files -/ -W ${(q)mnt} -P ${(q)mnt}/" 'dirs:directory:_directories'
  else
    _path_files -/ -W $mnt
  fi
}
# ---- numashift common end ----------------------------------------------------
