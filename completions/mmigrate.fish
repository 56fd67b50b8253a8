# fish completion for mmigrate (numashift)

# ---- numashift common: the same text in the four tools' files --------------
# (tests/host/completion-shells.bats checks that they do not drift apart).

# The current token without a leading "--option=".
function __numashift_token
    string replace -r -- '^-[^=]*=' '' (commandline -ct)
end

# Where the tool reads /proc and /sys: --sysroot on the line, else
# NUMASHIFT_SYSROOT, else the machine.
function __numashift_root
    set -l toks (commandline -opc)
    set -l r $NUMASHIFT_SYSROOT
    for i in (seq (count $toks))
        switch $toks[$i]
            case '--sysroot=*'
                set r (string replace -- '--sysroot=' '' $toks[$i])
            case --sysroot
                set -l j (math $i + 1)
                set -q toks[$j]; and set r $toks[$j]
        end
    end
    string replace -r -- '/$' '' "$r"
end

function __numashift_node_ids
    set -l root (__numashift_root)
    for d in $root/sys/devices/system/node/node*
        string match -qr -- '/node[0-9]+$' $d; or continue
        string replace -r -- '.*/node' '' $d
    end | sort -n
end

# A comma list: print "head,WORD\tdesc" for each "WORD\tdesc" on stdin that
# is not in the list yet.  A leading '+' or '!' stays.
function __numashift_list
    set -l tok (__numashift_token)
    set -l lead (string match -r -- '^[+!]' $tok)
    set tok (string replace -r -- '^[+!]' '' $tok)
    set -l head (string replace -r -- '[^,]*$' '' $tok)
    set -l have (string split , -- $head)
    while read -l line
        set -l w (string split -m1 \t -- $line)[1]
        contains -- $w $have; and continue
        printf '%s%s%s\n' "$lead" "$head" "$line"
    end
end

# Node lists in numactl's syntax: ids and "all", after a comma the nodes not
# yet named.
function __numashift_nodes
    set -l tok (__numashift_token)
    begin
        __numashift_node_ids | string replace -r '$' \tnode
        string match -qr , -- $tok; or printf 'all\tevery node\n'
    end | __numashift_list
end

# PID lists: each PID with its command name, as kill's completion shows.
function __numashift_pids
    __fish_complete_pids | __numashift_list
end

function __numashift_comms
    __fish_ps -o comm= | sort -u
end

# Column names for -o from the tool's own --help, for the view on the line.
function __numashift_columns
    set -l toks (commandline -opc)
    set -l section Process
    if contains -- -m $toks; or contains -- --mappings $toks
        set section Mapping
    else if contains -- --pages $toks
        set section 'Page run'
    else if contains -- --topology $toks
        set section Node
    end
    set -l cols ($toks[1] --help 2>/dev/null | awk -v want="$section columns" '
        /^[A-Za-z]/ && /[Cc]olumns.*:$/ { on = (index($0, want) == 1 || $0 == "Columns:"); next }
        /^$/ { on = 0 }
        on && /^  [A-Z][A-Z0-9-]*  / { print $1 }')
    begin
        printf '%s\n' $cols
        contains -- NODES $cols; and __numashift_node_ids | string replace -r '^' N
    end | __numashift_list
end

# --vma SPEC: the kinds given as arguments; files after "file=".
function __numashift_vma
    set -l tok (__numashift_token)
    if string match -q -- 'file=*' $tok
        __fish_complete_path (string replace -- 'file=' '' $tok) | string replace -r '^' 'file='
        return
    end
    printf '%s\n' $argv
end

function __numashift_cgroups
    set -l mnt (awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts 2>/dev/null)
    test -n "$mnt"; or set mnt /sys/fs/cgroup
    set -l tok (__numashift_token)
    test -n "$tok"; or set tok $mnt/
    __fish_complete_directories $tok
end
# ---- numashift common end ----------------------------------------------------

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
                --rate --nice --retries --timeout --engine --min-free --plan-out --apply --sysroot
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
complete -c mmigrate -l nice -x -d "Worker threads' nice value"
complete -c mmigrate -l move-all -d 'Also pages shared with other processes'
complete -c mmigrate -l discard-lazyfree -d 'Drop clean MADV_FREE pages instead of copying'
complete -c mmigrate -l retries -x -d 'Attempts for busy pages'
complete -c mmigrate -l timeout -x -d 'Stop after SECS (exit 124)'
complete -c mmigrate -l engine -x -a 'auto pages syscall' -d 'How to move'
complete -c mmigrate -l min-free -x -d 'Keep this much free on each target'
complete -c mmigrate -l force -d 'Go on when a target would be left too full'
complete -c mmigrate -l wait -d 'Wait for another mmigrate on the same process'
complete -c mmigrate -l dry-run -d 'Plan only, move nothing'
complete -c mmigrate -l plan-out -r -F -d 'Save the plan as JSON'
complete -c mmigrate -l apply -r -F -d 'Run a saved plan'
complete -c mmigrate -l sysroot -x -a '(__fish_complete_directories)' -d 'Read /proc and /sys under DIR'
complete -c mmigrate -s J -l json -d 'JSON output'
complete -c mmigrate -l bytes -d 'Raw byte counts in tables'
complete -c mmigrate -s q -l quiet -d 'No warnings, no progress bar'
complete -c mmigrate -s h -l help -d 'Show help'
complete -c mmigrate -s V -l version -d 'Show version'
