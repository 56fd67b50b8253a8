# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# bash completion for mscan (numashift) -*- shell-script -*-

# @numashift-common@

_mscan() {
	_numashift_complete \
		'-p --pid -n --name -u --user --cgroup -A --all -l --long -m --mappings
		 --pages --topology --prom --prom-by
		 --watch -o --output -O --output-all -H --list-columns --noheadings -r --raw -J --json -b --bytes -q --quiet --sysroot -h --help -V --version' \
		'-p=pids --pid=pids -n=comm --name=comm -u=user --user=user
		 --cgroup=cgroup -o=columns --output=columns --watch=none --sysroot=dir
		 --prom-by=words:pid|node|comm|cgroup|comm,cgroup|cgroup,comm' \
		''
}
complete -F _mscan mscan
