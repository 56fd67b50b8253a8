# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# fish completion for mfree-discard (numashift)

# @numashift-common@

complete -c mfree-discard -f
complete -c mfree-discard -s p -l pid -x -a '(__numashift_pids)' -d 'Processes by id'
complete -c mfree-discard -s n -l name -x -a '(__numashift_comms)' -d 'Processes by command name'
complete -c mfree-discard -s u -l user -x -a '(__fish_complete_users)' -d 'Processes of a user'
complete -c mfree-discard -l cgroup -x -a '(__numashift_cgroups)' -d 'Processes of a cgroup v2 directory'
complete -c mfree-discard -s A -l all -d 'Every user process'
complete -c mfree-discard -l nodes -x -a '(__numashift_nodes)' -d 'Only pages on these nodes'
complete -c mfree-discard -l vma -x -a '(__numashift_vma heap stack anon)' -d 'Only matching mappings'
complete -c mfree-discard -l mode -x -a 'auto precise mapping' -d 'How to find lazily freed pages'
complete -c mfree-discard -l thp -x -a 'collapse skip' -d 'THPs written again'
complete -c mfree-discard -l force -d 'Mapping mode with swap: go on'
complete -c mfree-discard -l wait -d 'Wait for another run on the same process'
complete -c mfree-discard -l dry-run -d 'Show what would be discarded'
complete -c mfree-discard -l timeout -x -d 'Stop after SECS (exit 124)'
complete -c mfree-discard -l max-stall -x -d 'Longest a call may hold the process (20ms)'
complete -c mfree-discard -l sysroot -x -a '(__fish_complete_directories)' -d 'Read /proc and /sys under DIR'
complete -c mfree-discard -s J -l json -d 'JSON output'
complete -c mfree-discard -s o -l output -x -a '(__numashift_columns)' -d 'Table columns'
complete -c mfree-discard -s O -l output-all -d 'Every column'
complete -c mfree-discard -s H -l list-columns -d 'List the columns'
complete -c mfree-discard -l noheadings -d 'No heading line'
complete -c mfree-discard -s r -l raw -d 'One space between cells, no padding'
complete -c mfree-discard -s b -l bytes -d 'Sizes in bytes'
complete -c mfree-discard -s q -l quiet -d 'No warnings'
complete -c mfree-discard -s h -l help -d 'Show help'
complete -c mfree-discard -s V -l version -d 'Show version'
