# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# fish completion for mmigrate (numashift)

# @numashift-common@

# mmigrate PID FROM-NODES TO-NODES: the n-th word that is no option.
function __mmigrate_positional
    set -l toks (commandline -opc)
    set -e toks[1]
    set -l n 0
    set -l skip 0
    for t in $toks
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case '-*=*'
            case -p -n -u --pid --name --user --cgroup --from --to --vma --threads --batch \
                --rate --nice --retries --timeout --max-stall --engine --min-free --plan-out --apply --sysroot
                set skip 1
            case '-*'
            case '*'
                set n (math $n + 1)
        end
    end
    test $skip = 0; and test $n = $argv[1]
end

complete -c mmigrate -f
complete -c mmigrate -n '__mmigrate_positional 0' -a '(__fish_complete_pids)'
complete -c mmigrate -n '__mmigrate_positional 1' -a '(__numashift_nodes)'
complete -c mmigrate -n '__mmigrate_positional 2' -a '(__numashift_nodes)'
complete -c mmigrate -s p -l pid -x -a '(__numashift_pids)' -d 'Processes by id'
complete -c mmigrate -s n -l name -x -a '(__numashift_comms)' -d 'Processes by command name'
complete -c mmigrate -s u -l user -x -a '(__fish_complete_users)' -d 'Processes of a user'
complete -c mmigrate -l cgroup -x -a '(__numashift_cgroups)' -d 'Processes of a cgroup v2 directory'
complete -c mmigrate -s A -l all -d 'Every user process'
complete -c mmigrate -l from -x -a '(__numashift_nodes)' -d 'Source nodes'
complete -c mmigrate -l to -x -a '(__numashift_nodes)' -d 'Target nodes'
complete -c mmigrate -l vma -x -a '(__numashift_vma heap stack anon file file= shm)' -d 'Only matching mappings'
complete -c mmigrate -l threads -x -d 'Worker threads'
complete -c mmigrate -l batch -x -d 'move_pages entries per call'
complete -c mmigrate -l rate -x -d 'Ceiling on copy bandwidth'
complete -c mmigrate -l nice -x -a auto -d "Worker threads' nice value"
complete -c mmigrate -l move-all -d 'Also pages shared with other processes'
complete -c mmigrate -l discard-lazyfree -d 'Drop clean MADV_FREE pages instead of copying'
complete -c mmigrate -l retries -x -d 'Attempts for busy pages'
complete -c mmigrate -l timeout -x -d 'Stop after SECS (exit 124)'
complete -c mmigrate -l max-stall -x -d 'Longest a call may hold the process (20ms)'
complete -c mmigrate -l engine -x -a 'auto pages syscall' -d 'How to move'
complete -c mmigrate -l min-free -x -d 'Keep this much free on each target'
complete -c mmigrate -l force -d 'Go on when a target would be left too full'
complete -c mmigrate -l wait -d 'Wait for another mmigrate on the same process'
complete -c mmigrate -l dry-run -d 'Plan only, move nothing'
complete -c mmigrate -l plan-out -r -F -d 'Save the plan as JSON'
complete -c mmigrate -l apply -r -F -d 'Run a saved plan'
complete -c mmigrate -l sysroot -x -a '(__fish_complete_directories)' -d 'Read /proc and /sys under DIR'
complete -c mmigrate -s J -l json -d 'JSON output'
complete -c mmigrate -s o -l output -x -a '(__numashift_columns)' -d 'Table columns'
complete -c mmigrate -s O -l output-all -d 'Every column'
complete -c mmigrate -s H -l list-columns -d 'List the columns'
complete -c mmigrate -l noheadings -d 'No heading line'
complete -c mmigrate -s r -l raw -d 'One space between cells, no padding'
complete -c mmigrate -s b -l bytes -d 'Sizes in bytes'
complete -c mmigrate -s q -l quiet -d 'No warnings, no progress bar'
complete -c mmigrate -s h -l help -d 'Show help'
complete -c mmigrate -s V -l version -d 'Show version'
