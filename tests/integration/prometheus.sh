#!/bin/bash
# SPDX-License-Identifier: MIT
# Prometheus conventions: `promtool check metrics` has nothing to say about `nltune metrics`
# (the daemon's textfile is checked in daemon.sh); the shipped alerting rules pass
# `promtool test rules`; the dashboard's queries parse and name only metrics nltune writes.
. "$(dirname "$0")/../lib.sh"
command -v promtool >/dev/null || fail "promtool missing (tests/deps.sh installs prometheus)"
command -v jq >/dev/null || fail "jq missing"
P=$REPO/contrib/prometheus
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/no-bus # the local snapshot

"$NLTUNE" metrics > "$TMP/metrics.prom" || fail "nltune metrics failed"
out=$(promtool check metrics < "$TMP/metrics.prom" 2>&1) || fail "promtool check metrics: $out"
[ -z "$out" ] || fail "promtool check metrics has something to say: $out"
grep -q '^nltune_build_info{version="[^"]*"} 1$' "$TMP/metrics.prom" || fail "no nltune_build_info"
# Identity labels only on the value series: one series per socket whatever its verdict.
grep '^nltune_socket_drops_total{' "$TMP/metrics.prom" | grep -q 'verdict=\|comm=\|pid=\|limit=' &&
	fail "nltune_socket_drops_total carries more than identity labels"
[ "$(grep -c '^nltune_socket_drops_total{' "$TMP/metrics.prom")" = "$(grep -c '^nltune_socket_info{' "$TMP/metrics.prom")" ] ||
	fail "not one info series per socket"
# Bounded: series of their own for at most 64 uevent listeners, the rest only counted.
[ "$(grep -c '^nltune_socket_info{' "$TMP/metrics.prom")" -le 64 ] || fail "more than 64 nltune_socket_info series"
grep -q '^nltune_socket_series_omitted [0-9]*$' "$TMP/metrics.prom" || fail "no nltune_socket_series_omitted"
grep -q '^nltune_netlink_sockets{protocol="[0-9a-z]*",limit="[a-z]*",verdict="[a-z-]*"} [0-9]*$' "$TMP/metrics.prom" ||
	fail "no nltune_netlink_sockets by protocol, limit and verdict"
grep '^nltune_socket_info{' "$TMP/metrics.prom" | grep -qv 'protocol="15"' &&
	fail "a socket other than a uevent listener has series of its own"
pass "promtool check metrics: nltune metrics is clean"

promtool check rules "$P/nltune.rules.yml" || fail "promtool check rules"
(cd "$P" && promtool test rules nltune.rules.test.yml) || fail "promtool test rules"
pass "alerting rules: promtool check rules, promtool test rules"

jq -e '.panels | length > 0' "$P/grafana-nltune.json" > /dev/null || fail "the dashboard is not JSON with panels"
# Every query as a recording rule, Grafana's variables given values, so promtool parses it.
{
	echo "groups:"
	echo "  - name: dashboard"
	echo "    rules:"
	jq -r '.panels[].targets[].expr' "$P/grafana-nltune.json" |
		sed 's/\$__rate_interval/5m/g; s/\$instance/.*/g' |
		awk '{ gsub(/\x27/, "\x27\x27"); printf "      - record: dashboard:query_%d\n        expr: \x27%s\x27\n", NR, $0 }'
} > "$TMP/dashboard.rules.yml"
promtool check rules "$TMP/dashboard.rules.yml" || fail "a dashboard query does not parse"
known=$(sed -n 's/^# TYPE \(nltune_[a-z_]*\) .*/\1/p' "$TMP/metrics.prom" | sort -u)
for m in $(cat "$P/grafana-nltune.json" "$P/nltune.rules.yml" | grep -o 'nltune_[a-z_]*' | grep -v '^nltune_$' | sort -u); do
	grep -qx "$m" <<<"$known" || fail "$m is queried but nltune writes no such metric"
done
pass "dashboard: $(jq '.panels | length' "$P/grafana-nltune.json") panels, every query parses and names a metric nltune writes"
