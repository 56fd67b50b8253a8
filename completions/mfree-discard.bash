# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# bash completion for mfree-discard (numashift) -*- shell-script -*-

# @numashift-common@

_mfree_discard() {
	_numashift_complete \
		'-p --pid -n --name -u --user --cgroup -A --all --nodes --vma --mode
		 --thp --force --wait --dry-run --timeout --max-stall
		 --sysroot -o --output -O --output-all -H --list-columns --noheadings -r --raw -J --json -b --bytes -q --quiet -h --help -V --version' \
		'-p=pids --pid=pids -n=comm --name=comm -u=user --user=user
		 --cgroup=cgroup --nodes=nodes --vma=vma:heap|stack|anon
		 --mode=words:auto|precise|mapping --thp=words:collapse|skip
		 --timeout=none --max-stall=none -o=columns --output=columns --sysroot=dir' \
		''
}
complete -F _mfree_discard mfree-discard
