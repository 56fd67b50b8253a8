# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# fish completion for mscan (numashift)

# @numashift-common@

complete -c mscan -f
complete -c mscan -s p -l pid -x -a '(__numashift_pids)' -d 'These processes'
complete -c mscan -s n -l name -x -a '(__numashift_comms)' -d 'Processes with this command name'
complete -c mscan -s u -l user -x -a '(__fish_complete_users)' -d 'Processes of a user'
complete -c mscan -l cgroup -x -a '(__numashift_cgroups)' -d 'Processes of a cgroup v2 directory'
complete -c mscan -s A -l all -d 'Every user process'
complete -c mscan -s l -l long -d 'Add THP, LAZYFREE and SWAP'
complete -c mscan -s m -l mappings -d 'One line per mapping'
complete -c mscan -l pages -d 'Runs of pages from pagemap'
complete -c mscan -l topology -d "The machine's nodes"
complete -c mscan -l prom -d 'Prometheus text format'
complete -c mscan -l prom-by -x -a 'pid node comm cgroup comm,cgroup cgroup,comm' -d 'Prometheus series per process or summed'
complete -c mscan -l watch -x -d 'Scan again every SECS seconds'
complete -c mscan -s J -l json -d 'JSON output'
complete -c mscan -s o -l output -x -a '(__numashift_columns)' -d 'Table columns'
complete -c mscan -s O -l output-all -d 'Every column'
complete -c mscan -s H -l list-columns -d 'List the columns'
complete -c mscan -l noheadings -d 'No heading line'
complete -c mscan -s r -l raw -d 'One space between cells, no padding'
complete -c mscan -s b -l bytes -d 'Sizes in bytes'
complete -c mscan -s q -l quiet -d 'No warnings'
complete -c mscan -l sysroot -x -a '(__fish_complete_directories)' -d 'Read /proc and /sys under DIR'
complete -c mscan -s h -l help -d 'Show help'
complete -c mscan -s V -l version -d 'Show version'
