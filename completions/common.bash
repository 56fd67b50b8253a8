# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# ---- numashift common: completions/common.bash, built into each tool's file ---
# Each file stands alone, as bash-completion loads one file per command.

# The current word and the previous one, with "--opt=value" (which bash
# splits at '=') taken back together: sets cur, prev, and eq=1 when they
# were joined by '='.
_numashift_words() {
	cur=${COMP_WORDS[COMP_CWORD]}
	prev='' eq=0
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	if [[ $cur == = ]]; then
		cur='' eq=1
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]} eq=1
	fi
}

# Where the tool would read /proc and /sys: --sysroot on the line, else
# NUMASHIFT_SYSROOT, else the machine itself ("").
_numashift_root() {
	local i w
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == --sysroot ]]; then
			w=${COMP_WORDS[i + 1]}
			[[ $w == = ]] && w=${COMP_WORDS[i + 2]}
			[[ -n $w && $w != -* ]] && { printf '%s' "${w%/}"; return; }
		fi
	done
	printf '%s' "${NUMASHIFT_SYSROOT%/}"
}

# The word is on the line before the cursor.
_numashift_has() {
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == "$1" ]] && return 0
	done
	return 1
}

# Complete a comma list: _numashift_list CUR WORD... offers "head,WORD" for
# each WORD that matches the part after the last comma and is not yet in
# the list.  A leading '+' or '!' stays where it is.
_numashift_list() {
	local cur=$1 head='' last lead='' w
	shift
	case $cur in [+!]*) lead=${cur:0:1}; cur=${cur:1} ;; esac
	last=${cur##*,}
	[[ $cur == *,* ]] && head=${cur%,*},
	for w in "$@"; do
		[[ ,$head == *,"$w",* ]] && continue
		[[ $w == "$last"* ]] && COMPREPLY+=("$lead$head$w")
	done
}

# Node ids that exist, ascending.
_numashift_node_ids() {
	local d root
	root=$(_numashift_root)
	for d in "$root"/sys/devices/system/node/node[0-9]*; do
		[[ -d $d ]] && printf '%s\n' "${d##*/node}"
	done | sort -n
}

# A node list in numactl's syntax: ids, "all", ranges after '-', after a
# comma the nodes not yet named.
_numashift_nodes() {
	local cur=$1 ids n last lo
	mapfile -t ids < <(_numashift_node_ids)
	last=${cur##*[,!]}
	if [[ $last =~ ^([0-9]+)-([0-9]*)$ ]]; then
		lo=${BASH_REMATCH[1]}
		for n in "${ids[@]}"; do
			((n > lo)) && [[ $n == "${BASH_REMATCH[2]}"* ]] &&
				COMPREPLY+=("${cur%-*}-$n")
		done
		return
	fi
	_numashift_list "$cur" "${ids[@]}"
	[[ all == "$cur"* ]] && COMPREPLY+=(all)
	return 0
}

# "PID comm" of every process (of the sysroot's /proc when there is one)
# but kernel threads and zombies: an empty cmdline, no memory to show.
_numashift_procs() {
	local d c a root
	root=$(_numashift_root)
	for d in "$root"/proc/[0-9]*; do
		c='' a=''
		if [[ -e $d/cmdline ]]; then
			IFS= read -r -d '' a 2>/dev/null <"$d/cmdline"
			[[ -n $a ]] || continue
		fi
		read -r c 2>/dev/null <"$d/comm" ||
			c=$(sed -n 's/^Name:[[:space:]]*//p' "$d/status" 2>/dev/null)
		[[ -n $c ]] && printf '%s %s\n' "${d##*/}" "$c"
	done
}

# PIDs, as kill's completion does: digits match PIDs; letters match the
# command names and complete to their PIDs.  When bash lists the choices
# (second TAB) each PID shows its command name.  multi: a comma list.
_numashift_pids() {
	local cur=$1 multi=$2 head='' last p c
	local -a hits=() shown=()
	if [[ $multi == 1 && $cur == *,* ]]; then
		head=${cur%,*},
		last=${cur##*,}
	else
		last=$cur
	fi
	while read -r p c; do
		[[ ,$head == *,"$p",* ]] && continue
		if [[ $last == "" || $last =~ ^[0-9]+$ ]]; then
			[[ $p == "$last"* ]] || continue
		else
			[[ $c == "$last"* ]] || continue
		fi
		hits+=("$head$p")
		shown+=("$head$p ($c)")
	done < <(_numashift_procs)
	if ((${#hits[@]} > 1)) && [[ ${COMP_TYPE:-9} == 63 ]]; then
		COMPREPLY+=("${shown[@]}")
	else
		COMPREPLY+=("${hits[@]}")
	fi
}

# Command names of running processes (-n NAME).
_numashift_comms() {
	local p c
	local -A seen=()
	while read -r p c; do
		[[ $c == "$1"* && -z ${seen[$c]} ]] || continue
		seen[$c]=1
		COMPREPLY+=("$c")
	done < <(_numashift_procs)
}

# cgroup v2 directories: absolute paths, or relative to the cgroup2 mount.
_numashift_cgroups() {
	local cur=$1 mnt d
	mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts 2>/dev/null)
	compopt -o nospace 2>/dev/null
	if [[ -z $cur ]]; then
		COMPREPLY+=("${mnt:-/sys/fs/cgroup}/")
	elif [[ $cur == /* ]]; then
		while IFS= read -r d; do COMPREPLY+=("$d/"); done < <(compgen -d -- "$cur")
	elif [[ -n $mnt ]]; then
		while IFS= read -r d; do COMPREPLY+=("${d#"$mnt"/}/"); done < <(compgen -d -- "$mnt/$cur")
	fi
	return 0
}

# Column names for -o from the tool's own --help: the "... columns" section
# of the view on the line (mscan: -m, --pages, --topology) or "Columns:".
# NODES adds N<id> for every node.  Comma lists, '+' adds to the defaults.
_numashift_columns() {
	local cmd=$1 cur=$2 section=Process
	local -a cols=()
	if _numashift_has -m || _numashift_has --mappings; then section=Mapping
	elif _numashift_has --pages; then section='Page run'
	elif _numashift_has --topology; then section=Node
	elif _numashift_has --dry-run; then section=Plan
	fi
	mapfile -t cols < <("$cmd" --help 2>/dev/null | awk -v want="$section columns" '
		/^[A-Za-z]/ && /[Cc]olumns.*:$/ {
			on = index($0, want) == 1 ? 1 : $0 == "Columns:" ? 2 : 0; next
		}
		/^$/ { on = 0 }
		on && /^  [A-Z][A-Z0-9-]*  / { c[on] = c[on] $1 "\n" }
		END { printf "%s", (1 in c) ? c[1] : c[2] }')
	if [[ " ${cols[*]} " == *" NODES "* ]]; then
		mapfile -t -O ${#cols[@]} cols < <(_numashift_node_ids | sed 's/^/N/')
	fi
	[[ $cur =~ [a-z] ]] && cur=${cur^^}
	_numashift_list "$cur" "${cols[@]}"
}

# --vma SPEC: the kinds the tool takes ("heap|stack|file=..."); a kind
# ending in '=' takes no space (files follow: see _numashift_complete).
_numashift_vma() {
	local cur=$1 w
	local -a kinds
	IFS='|' read -r -a kinds <<<"$2"
	for w in "${kinds[@]}"; do [[ $w == "$cur"* ]] && COMPREPLY+=("$w"); done
	[[ ${COMPREPLY[*]} == *= ]] && compopt -o nospace 2>/dev/null
	return 0
}

_numashift_files() {
	compopt -o filenames 2>/dev/null
	mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -f -- "$1")
}

_numashift_dirs() {
	compopt -o filenames 2>/dev/null
	mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -d -- "$1")
}

# What an option's argument is: "pids", "pid", "comm", "user", "cgroup",
# "nodes", "columns", "file", "dir", "vma:KIND..." or "words:WORD..."
# (both with '|' between), "none" (anything; nothing to offer).  The spec is
# "OPT=TYPE" words.  Prints the type, or nothing for an option without one.
_numashift_argtype() {
	local opt=$1 spec
	for spec in $2; do
		[[ ${spec%%=*} == "$opt" ]] && { printf '%s' "${spec#*=}"; return; }
	done
}

_numashift_complete_arg() {
	local cmd=$1 type=$2 cur=$3 IFS=$' \t\n'
	case $type in
	pids) _numashift_pids "$cur" 1 ;;
	pid) _numashift_pids "$cur" 0 ;;
	comm) _numashift_comms "$cur" ;;
	user) mapfile -t COMPREPLY < <(compgen -u -- "$cur") ;;
	cgroup) _numashift_cgroups "$cur" ;;
	nodes) _numashift_nodes "$cur" ;;
	columns) _numashift_columns "$cmd" "$cur" ;;
	file) _numashift_files "$cur" ;;
	dir) _numashift_dirs "$cur" ;;
	vma:*) _numashift_vma "$cur" "${type#vma:}" ;;
	words:*) mapfile -t COMPREPLY < <(IFS='|'; compgen -W "${type#words:}" -- "$cur") ;;
	esac
	return 0
}

# Words before the cursor that are not options or their arguments.
_numashift_positionals() {
	local spec=$1 i w n=0 skip=0
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		((skip)) && { skip=0; [[ $w == = ]] && skip=1; continue; }
		[[ $w == -- ]] && break
		if [[ $w == -* ]]; then
			[[ -n $(_numashift_argtype "$w" "$spec") ]] && skip=1
			[[ ${COMP_WORDS[i + 1]} == = ]] && skip=1
			continue
		fi
		n=$((n + 1))
	done
	printf '%d' "$n"
}

# The whole job: _numashift_complete OPTIONS SPEC POSITIONAL-TYPES.
# POSITIONAL-TYPES: the types of the 1st, 2nd, ... word that is not an
# option, or "" (options only).
_numashift_complete() {
	local opts=$1 spec=$2 postypes=$3 cur prev eq type n
	local -a pt
	COMPREPLY=()
	_numashift_words
	if ((eq)) && [[ $prev == file ]]; then
		_numashift_files "$cur"         # --vma file=GLOB
		return 0
	fi
	type=$(_numashift_argtype "$prev" "$spec")
	if [[ -n $type ]]; then
		_numashift_complete_arg "${COMP_WORDS[0]}" "$type" "$cur"
		return 0
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return 0
	fi
	read -r -a pt <<<"$postypes"
	n=$(_numashift_positionals "$spec")
	if ((n < ${#pt[@]})); then
		_numashift_complete_arg "${COMP_WORDS[0]}" "${pt[n]}" "$cur"
	else
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	fi
	return 0
}
# ---- numashift common end ----------------------------------------------------
