#!/bin/bash
# SPDX-License-Identifier: MIT
# The man pages and completions keep up with the programs: every command and option that
# --help names, every key of conf/nltune.conf and every member of the D-Bus interface is
# documented; mandoc's lint is clean; bash completion offers the commands, the options and,
# for explain/fix, the pid of a live netlink listener.
. "$(dirname "$0")/../lib.sh"
command -v mandoc >/dev/null || skip "mandoc missing (tests/deps.sh installs it)"
M=$REPO/man

for page in "$M"/*.[58]; do
	mandoc -T lint -W warning "$page" > "$TMP/lint" 2>&1 || fail "mandoc -T lint ${page##*/}: $(cat "$TMP/lint")"
done

# nltune: the commands are the "commands:" list of --help, the options of each every -word and
# --word of `nltune help COMMAND` (common ones included).
export COLUMNS=200
"$NLTUNE" --help > "$TMP/help" || fail "nltune --help failed"
grep -q 'nltune(8)' "$TMP/help" || fail "nltune --help does not point at nltune(8)"
commands=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$TMP/help")
[ "$(echo "$commands" | wc -w)" -ge 5 ] || fail "no command list in nltune --help: $(cat "$TMP/help")"
documented() { # PAGE OPTION: a `Fl` of the page (escapes dropped) names it
	sed 's/\\//g' "$1" | grep -qE "Fl ${2#-}([^a-z-]|$)"
}
options_of() { grep -oE -- '(^|[][ (,/|])--?[a-z][a-z-]*' "$@" | grep -oE -- '--?[a-z][a-z-]*' | sort -u; }
for c in $commands; do
	grep -q "^\.It Cm $c\( \|$\)" "$M/nltune.8" || fail "nltune.8 does not document the command $c"
	"$NLTUNE" help "$c" > "$TMP/help.$c" || fail "nltune help $c failed"
	sed -n '1,/^$/p' "$TMP/help.$c" > "$TMP/usage.$c" # the usage line: the command's own options
	for o in $(options_of "$TMP/help.$c"); do
		documented "$M/nltune.8" "$o" || fail "nltune.8 does not document $o (nltune help $c)"
	done
done
"$NLTUNED" --help > "$TMP/dhelp" || fail "nltuned --help failed"
for o in $(options_of "$TMP/dhelp"); do
	documented "$M/nltuned.8" "$o" || fail "nltuned.8 does not document $o"
done

# Every alert kind of the alert table.
kinds=$(sed -n 's/^[[:space:]]*\[ALERT_[A-Z_]*\] = { "\([a-z-]*\)".*/\1/p' "$REPO/daemon/alerts.c")
[ -n "$kinds" ] || fail "no alert kinds found in daemon/alerts.c"
for k in $kinds; do
	grep -q "^\.It Cm $k\b" "$M/nltune.8" || fail "nltune.8 does not document the alert kind $k"
done

# Every key of the shipped configuration.
keys=$(sed -n 's/^[[:space:]]*\([a-z-]*\)[[:space:]]*[={].*/\1/p' "$REPO/conf/nltune.conf" | sort -u)
[ "$(echo "$keys" | wc -l)" -ge 10 ] || fail "too few keys found in conf/nltune.conf: $keys"
for k in $keys; do
	grep -q "^\.It Cm $k\b" "$M/nltune.conf.5" || fail "nltune.conf.5 does not document the key $k"
done

# Every member of the interface.
members=$(grep -oE '<(property|method|signal) name="[A-Za-z]+"' "$REPO/dbus/org.nltune1.Manager.xml" |
	sed 's/.*name="//; s/"//')
[ -n "$members" ] || fail "no members found in the interface XML"
for m in $members; do
	grep -qE "^\.It (Fn|Va) ([A-Za-z]+ , Va )?$m\b|, Va $m\b" "$M/org.nltune1.5" ||
		fail "org.nltune1.5 does not document $m"
done

# Bash completion, driven as bash-completion drives it.
bc=/usr/share/bash-completion/bash_completion
[ -r $bc ] || skip "bash-completion missing (tests/deps.sh installs it); man pages checked"
start_sock victim --rcvbuf 1024
{
	echo ". $bc"
	echo ". \"$REPO/contrib/completion/nltune.bash\""
	echo 'comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}'
	echo '	COMPREPLY=(); _${1##*/}; echo "${COMPREPLY[*]}"; }'
	echo 'echo "commands: $(comp nltune "")"'
	echo 'echo "help: $(comp nltune help "")"'
	for c in $commands; do echo "echo \"opts $c: \$(comp nltune $c -)\""; done
	echo 'echo "fix: $(comp nltune fix "")"'
	echo 'echo "explain: $(comp nltune explain "")"'
	echo 'echo "explain2: $(comp nltune explain 1 "")"'
	echo 'echo "nltuned: $(comp nltuned -)"'
} > "$TMP/comp.sh"
PATH=$NLTUNE_BUILD:$PATH bash "$TMP/comp.sh" > "$TMP/comp" 2>&1 || fail "completion: $(cat "$TMP/comp")"
for c in $commands; do
	grep -q "^commands: .*\b$c\b" "$TMP/comp" || fail "completion does not offer $c: $(cat "$TMP/comp")"
	grep -q "^help: .*\b$c\b" "$TMP/comp" || fail "help does not complete $c"
	for o in $(options_of "$TMP/usage.$c"); do
		grep -q -- "^opts $c: \(.* \)\?$o\( \|$\)" "$TMP/comp" ||
			fail "completion of $c does not offer $o: $(grep "^opts $c:" "$TMP/comp")"
	done
done
grep -q "^fix: .*\b$victim_pid\b" "$TMP/comp" || fail "fix does not offer pid $victim_pid: $(cat "$TMP/comp")"
grep -q "^explain: .*\b$victim_pid\b" "$TMP/comp" || fail "explain does not offer pid $victim_pid"
grep -q '^explain2: $' "$TMP/comp" || fail "explain offers a second pid: $(grep explain2 "$TMP/comp")"
grep -q '^nltuned: .*--check-config' "$TMP/comp" || fail "nltuned completion: $(grep nltuned "$TMP/comp")"
if command -v zsh >/dev/null; then
	zsh -n "$REPO/contrib/completion/_nltune" || fail "zsh completion does not parse"
fi
pass "$(echo $commands | wc -w) commands, options, $(echo $kinds | wc -w) alert kinds, $(echo $keys | wc -w) keys, $(echo $members | wc -w) D-Bus members documented; completion offers them and pid $victim_pid"
