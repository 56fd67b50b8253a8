# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
# fish completion for mplace (numashift)

# @numashift-common@

# Options that take an argument: the command mplace launches starts at the
# first other word that is no option, or after "--".
set -g __mplace_argopts --nodes --cpu-nodes --cpus --policy -p --pid --threads --batch --rate \
    --nice --retries --timeout --max-stall --min-free --sysroot -o --output \
    --membind -m --interleave -i --preferred --preferred-many -P --weighted-interleave -w \
    --cpunodebind -N --physcpubind -C

function __mplace_in_command
    set -l toks (commandline -opc)
    set -e toks[1]
    set -l skip 0
    for t in $toks
        if test $skip = 1
            set skip 0
            continue
        end
        contains -- $t $__mplace_argopts; and set skip 1; and continue
        test "$t" = --; and return 0
        string match -q -- '-*' $t; or return 0
    end
    test $skip = 0; and not string match -q -- '-*' (commandline -ct)
end

set -l opt -c mplace -n 'not __mplace_in_command'
complete -c mplace -f
complete -c mplace -n __mplace_in_command -a "(__fish_complete_subcommand -- $__mplace_argopts)"
complete $opt -l nodes -x -a '(__numashift_nodes)' -d 'Memory nodes'
complete $opt -l cpu-nodes -x -a '(__numashift_nodes)' -d 'Nodes whose CPUs to run on'
complete $opt -l cpus -x -d 'CPUs to run on'
complete $opt -l policy -x -a 'bind preferred interleave weighted-interleave local' -d 'Memory policy of a launched command'
complete $opt -s m -l membind -x -a '(__numashift_nodes)' -d 'numactl: bind memory to nodes'
complete $opt -s i -l interleave -x -a '(__numashift_nodes)' -d 'numactl: interleave memory over nodes'
complete $opt -l preferred -x -a '(__numashift_nodes)' -d 'numactl: prefer one node'
complete $opt -s P -l preferred-many -x -a '(__numashift_nodes)' -d 'numactl: prefer nodes'
complete $opt -s w -l weighted-interleave -x -a '(__numashift_nodes)' -d 'numactl: weighted interleave'
complete $opt -s l -l localalloc -d 'numactl: allocate on the local node'
complete $opt -s N -l cpunodebind -x -a '(__numashift_nodes)' -d 'numactl: run on the CPUs of nodes'
complete $opt -s C -l physcpubind -x -d 'numactl: run on CPUs'
complete $opt -l balancing -d 'MPOL_F_NUMA_BALANCING'
complete $opt -s p -l pid -x -a '(__fish_complete_pids)' -d 'Running process to place'
complete $opt -l auto -d 'Choose the node and explain the choice'
complete $opt -l dry-run -d 'Show what would be done'
complete $opt -l threads -x -d 'Worker threads'
complete $opt -l batch -x -d 'move_pages entries per call'
complete $opt -l rate -x -d 'Ceiling on copy bandwidth'
complete $opt -l nice -x -a auto -d 'Priority of the worker threads'
complete $opt -l retries -x -d 'Attempts for busy pages'
complete $opt -l move-all -d 'Also pages shared with other processes'
complete $opt -l timeout -x -d 'Stop after SECS (exit 124)'
complete $opt -l max-stall -x -d 'Longest a call may hold the process (20ms)'
complete $opt -l min-free -x -d 'Keep this much free on each target'
complete $opt -l force -d 'Go on when a target would be left too full'
complete $opt -l wait -d 'Wait for another tool on the same process'
complete $opt -l sysroot -x -a '(__fish_complete_directories)' -d 'Read /proc and /sys under DIR'
complete $opt -s J -l json -d 'JSON output'
complete $opt -s o -l output -x -a '(__numashift_columns)' -d 'Table columns'
complete $opt -s O -l output-all -d 'Every column'
complete $opt -s H -l list-columns -d 'List the columns'
complete $opt -l noheadings -d 'No heading line'
complete $opt -s r -l raw -d 'One space between cells, no padding'
complete $opt -s b -l bytes -d 'Sizes in bytes'
complete $opt -s q -l quiet -d 'No warnings'
complete $opt -s h -l help -d 'Show help'
complete $opt -s V -l version -d 'Show version'
