# bash completion for dtpass — installed as
# $(PREFIX)/share/bash-completion/completions/dtpass.
# Commands and options come from `dtpass --help`, check ids from
# `dtpass --list-checks` and targets from `dtpass --list-targets` of the
# dtpass being completed, so they cannot drift from the binary.

_dtpass_files() { # [glob-extension-pattern]: files (and directories to descend into)
    local IFS=$'\n' x
    if declare -F _filedir >/dev/null 2>&1; then
        _filedir "$@"
        return
    fi
    COMPREPLY+=($(compgen -d -S / -- "$cur"))
    if [ -n "${1:-}" ]; then
        for x in $(compgen -f -- "$cur"); do
            [ -f "$x" ] && [[ $x =~ \.($1)$ ]] && COMPREPLY+=("$x")
        done
    else
        COMPREPLY+=($(compgen -f -- "$cur"))
    fi
}

_dtpass() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev= prog=${COMP_WORDS[0]}
    [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    local help
    help=$("$prog" --help 2>/dev/null) || return 0

    # "-Werror=id" and "--target=a,b" arrive split at '=' (COMP_WORDBREAKS).
    local opt=$prev
    if [ "$cur" = "=" ]; then
        opt=$prev cur=
    elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
        opt=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    case $opt in
        -Werror)
            if [ "$prev" = "=" ] || [ "${COMP_WORDS[COMP_CWORD]}" = "=" ]; then
                COMPREPLY=($(compgen -W "$("$prog" --list-checks 2>/dev/null)" -- "$cur"))
                return 0
            fi ;;
        --target)
            local done_part= last=$cur
            case $cur in *,*) done_part=${cur%,*},; last=${cur##*,} ;; esac
            COMPREPLY=($(compgen -P "$done_part" -W "$("$prog" --list-targets 2>/dev/null)" -- "$last"))
            compopt -o nospace 2>/dev/null
            return 0 ;;
        --format) COMPREPLY=($(compgen -W "text json sarif" -- "$cur")); return 0 ;;
        --color|--colour) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return 0 ;;
        --board) _dtpass_files 'dts|dtb'; return 0 ;;
        --classes) _dtpass_files 'yaml|yml'; return 0 ;;
        -M) _dtpass_files; return 0 ;;
        -o|-I)
            if declare -F _filedir >/dev/null 2>&1; then _filedir -d; else COMPREPLY=($(compgen -d -- "$cur")); fi
            return 0 ;;
    esac

    case $cur in
        -W*)
            local ids w=
            ids=$("$prog" --list-checks 2>/dev/null)
            for id in $ids; do w="$w -W$id -Wno-$id -Werror=$id"; done
            COMPREPLY=($(compgen -W "-Werror $w" -- "$cur"))
            return 0 ;;
        -*)
            # Every option --help names (and -h).
            local opts
            opts=$(printf '%s\n' "$help" | grep -oE -- '(^|[[ ])-(-[a-z][a-z-]*|[a-zA-Z])' |
                   sed 's/^[[ ]//' | grep -v -- '^-W$' | sort -u)
            COMPREPLY=($(compgen -W "$opts -h" -- "$cur"))
            return 0 ;;
    esac

    # The command: the first word after dtpass that is not an option.
    local cmd= i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -o|-I|-M|--board|--target|--format|--color|--colour|--classes) ((i++)) ;;
            -*|=) ;;
            *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    if [ -z "$cmd" ]; then
        local cmds
        cmds=$(printf '%s\n' "$help" | sed -n 's/^\(usage:\)\{0,1\} *dtpass \([a-z][a-z]*\) .*/\2/p' | sort -u)
        COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
        return 0
    fi
    case $cmd in
        build|check) _dtpass_files 'yaml|yml|dtpass' ;;
        *) _dtpass_files ;;
    esac
}
complete -F _dtpass dtpass
