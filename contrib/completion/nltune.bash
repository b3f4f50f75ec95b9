# SPDX-License-Identifier: MIT
# bash completion for nltune and nltuned: commands, options, and for explain/fix the ids of
# the processes that hold netlink sockets (as nltune itself sees them).

_nltune_netlink_pids()
{
	# Compact or indented JSON alike: drop the whitespace, then take every "pids":[...] list.
	"${1:-nltune}" sockets --all --json --no-daemon 2>/dev/null | tr -d ' \t\n' |
		grep -o '"pids":\[[0-9,]*\]' | grep -o '[0-9][0-9]*' | sort -un
}

_nltune()
{
	local cur prev words cword split
	_init_completion -s || return

	local commands="status sockets recommend apply revert alerts history explain fix monitor metrics help"
	local global="-c --config --proc --sys --state-dir -h --help --version"
	case $prev in
	--json)
		$split && mapfile -t COMPREPLY < <(compgen -W "pretty short" -- "$cur")
		return
		;;
	-c | --config)
		_filedir conf
		return
		;;
	--proc | --sys | --state-dir)
		_filedir -d
		return
		;;
	--for | --size)
		return
		;;
	esac

	local i cmd="" nargs=0
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-c | --config | --proc | --sys | --state-dir | --for | --size)
			((i++))
			;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then cmd=${words[i]}; else ((nargs++)); fi
			;;
		esac
	done

	local opts=""
	case $cmd in
	status) opts="--json --all --no-daemon -q --no-legend" ;;
	sockets) opts="--json --all --no-daemon -q --no-legend --verdict --pid --protocol --netns" ;;
	recommend) opts="--json --no-daemon" ;;
	alerts) opts="--json --no-daemon -q --no-legend" ;;
	history) opts="--json -q --no-legend" ;;
	apply) opts="--dry-run --boot --persist --json --no-daemon" ;;
	revert) opts="--dry-run --json --no-daemon" ;;
	monitor) opts="--json --for" ;;
	fix) opts="--size --force --no-daemon" ;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$global $opts" -- "$cur")
	elif [[ -z $cmd ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
	elif [[ $cmd == help && $nargs -eq 0 ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
	elif [[ ($cmd == explain || $cmd == fix) && $nargs -eq 0 ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_nltune_netlink_pids "${words[0]}")" -- "$cur")
	fi
}
complete -F _nltune nltune

_nltuned()
{
	local cur prev words cword
	_init_completion || return

	case $prev in
	-c | --config)
		_filedir conf
		return
		;;
	--proc | --sys | --state-dir)
		_filedir -d
		return
		;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "-c --config -n --check-config -v --verbose --proc
		--sys --state-dir -h --help --version" -- "$cur")
}
complete -F _nltuned nltuned
