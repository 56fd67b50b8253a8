# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# bash completion for mmigrate (numashift) -*- shell-script -*-

# @numashift-common@

# mmigrate PID FROM-NODES TO-NODES, or selection options with --to.
_mmigrate() {
	_numashift_complete \
		'-p --pid -n --name -u --user --cgroup -A --all --from --to --vma
		 --threads --batch --rate --nice --move-all --discard-lazyfree --retries
		 --timeout --max-stall --engine --min-free --force --wait --dry-run --plan-out
		 --apply --sysroot -o --output -O --output-all -H --list-columns --noheadings -r --raw -J --json -b --bytes -q --quiet -h --help -V --version' \
		'-p=pids --pid=pids -n=comm --name=comm -u=user --user=user
		 --cgroup=cgroup --from=nodes --to=nodes
		 --vma=vma:heap|stack|anon|file|file=|shm
		 --threads=words:auto --batch=none --rate=none --nice=words:auto --retries=none
		 --timeout=none --max-stall=none --engine=words:auto|pages|syscall --min-free=none
		 --plan-out=file --apply=file -o=columns --output=columns --sysroot=dir' \
		'pid nodes nodes'
}
complete -F _mmigrate mmigrate
