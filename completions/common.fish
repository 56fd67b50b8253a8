# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The numashift authors
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
    else if contains -- --dry-run $toks
        set section Plan
    end
    set -l cols ($toks[1] --help 2>/dev/null | awk -v want="$section columns" '
        /^[A-Za-z]/ && /[Cc]olumns.*:$/ { on = index($0, want) == 1 ? 1 : $0 == "Columns:" ? 2 : 0; next }
        /^$/ { on = 0 }
        on && /^  [A-Z][A-Z0-9-]*  / { c[on] = c[on] $1 "\n" }
        END { printf "%s", (1 in c) ? c[1] : c[2] }')
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
