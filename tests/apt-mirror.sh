# SPDX-License-Identifier: MIT
# Sourced by the scripts that build Debian trees (tests/vm, tests/cross): the archive this
# host's apt is configured with, so that a local mirror or proxy serves them too.

# apt_mirror SUITE: the URI of the first enabled "deb" source of SUITE (e.g. bookworm) in
# /etc/apt/sources.list and /etc/apt/sources.list.d (one-line .list or deb822 .sources files).
# Prints nothing and fails when there is none.
apt_mirror() {
	local suite=$1 etc=${APT_ETC:-/etc/apt} f
	for f in "$etc/sources.list" "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		case $f in
		*.sources) awk -v suite="$suite" "$_apt_mirror_deb822" "$f" ;;
		*) awk -v suite="$suite" "$_apt_mirror_line" "$f" ;;
		esac && return 0
	done
	return 1
}

# deb [options] URI SUITE COMPONENTS...
_apt_mirror_line='
$1 == "deb" {
	i = 2
	if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
	if ($(i + 1) == suite) { u = $i; sub(/\/+$/, "", u); print u; found = 1; exit }
}
END { exit !found }'

# Stanzas of "Field: value" lines, separated by blank lines.
_apt_mirror_deb822='
function check() {
	if (types ~ /[ \t]deb([ \t]|$)/ && enabled != "no" && index(suites, " " suite " ") && uri != "") {
		sub(/\/+$/, "", uri); print uri; found = 1; exit
	}
	types = uri = suites = enabled = ""
}
/^[ \t]*#/ { next }
/^[ \t]*$/ { check(); next }
tolower($1) == "types:" { types = $0 " " }
tolower($1) == "uris:" { uri = $2 }
tolower($1) == "suites:" { suites = $0 " " }
tolower($1) == "enabled:" { enabled = tolower($2) }
END { if (!found) check(); exit !found }'
