# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# bash completion for mplace (numashift) -*- shell-script -*-

# @numashift-common@

_mplace_opts='--nodes --cpu-nodes --cpus --policy --balancing -p --pid --auto --dry-run
	--membind -m --interleave -i --preferred --preferred-many -P --weighted-interleave -w
	--localalloc -l --cpunodebind -N --physcpubind -C
	--threads --batch --rate --nice --retries --move-all --timeout --max-stall --min-free --force
	--wait --sysroot -o --output -O --output-all -H --list-columns --noheadings -r --raw -J --json -b --bytes -q --quiet -h --help -V --version'
_mplace_spec='--nodes=nodes --cpu-nodes=nodes --cpus=none
	--policy=words:bind|preferred|interleave|weighted-interleave|local -p=pid --pid=pid
	--membind=nodes -m=nodes --interleave=nodes -i=nodes --preferred=nodes
	--preferred-many=nodes -P=nodes --weighted-interleave=nodes -w=nodes
	--cpunodebind=nodes -N=nodes --physcpubind=none -C=none
	--threads=words:auto --batch=none --rate=none --nice=words:auto --retries=none --timeout=none --max-stall=none
	--min-free=none -o=columns --output=columns --sysroot=dir'

# Index of the command mplace launches: the word after "--", or the first
# word that is not an option or an option's argument (getopt stops there);
# 0 when the cursor is before it.
_mplace_command_index() {
	local i w skip=0
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		((skip)) && { skip=0; [[ $w == = ]] && skip=1; continue; }
		[[ $w == -- ]] && { printf '%d' $((i + 1)); return; }
		if [[ $w == -* ]]; then
			[[ -n $(_numashift_argtype "$w" "$_mplace_spec") ]] && skip=1
			continue
		fi
		printf '%d' "$i"
		return
	done
	printf 0
}

# mplace --nodes NODES [options] -- COMMAND [ARGS]: the command and its
# arguments complete as that command's own (bash-completion's
# _command_offset when it is loaded).
_mplace() {
	local c cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	c=$(_mplace_command_index)
	# the cursor on the first word that is no option: the command
	if ((c == 0)) && [[ $cur != -* && $cur != = && $prev != = ]] &&
		[[ -z $(_numashift_argtype "$prev" "$_mplace_spec") ]]; then
		c=$COMP_CWORD
	fi
	if ((c > 0 && c <= COMP_CWORD)); then
		if declare -F _command_offset >/dev/null; then
			_command_offset "$c"
		elif ((c == COMP_CWORD)); then
			mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
		else
			COMPREPLY=()
			_numashift_files "$cur"
		fi
		return 0
	fi
	_numashift_complete "$_mplace_opts" "$_mplace_spec" ''
}
complete -F _mplace mplace
