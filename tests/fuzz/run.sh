#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the libFuzzer harnesses of tests/fuzz and run each for SECONDS (default 30); keep crashes.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     TARGET: uevent nlscan state conf charge burst
#
# FUZZ_RUNS=N stops each harness after N executions if that comes before SECONDS.
# Binaries, logs and the growing corpus go to $FUZZ_OUT (build/fuzz); the checked-in seeds in
# tests/fuzz/corpus/<target> are only read. Reproducers land in tests/fuzz/crashes/.
# FUZZ_COVERAGE=1 then replays each corpus through a -fcoverage-mapping build and prints the
# coverage of the functions under test (llvm-profdata/llvm-cov: $LLVM_SUFFIX, default -14).
# Exit status: 0 if no harness found anything, 1 if one did, 2 if a build failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

secs=${1:-30}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(uevent nlscan state conf charge burst)

OUT=${FUZZ_OUT:-build/fuzz}
CLANG=${CLANG:-clang}
SEEDS=tests/fuzz/corpus
CRASHES=tests/fuzz/crashes
# -fno-sanitize-recover: an UBSan report must stop the run, or libFuzzer keeps no reproducer.
# shellcheck disable=SC2054 # commas inside -fsanitize=, not between elements
CFLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Idaemon -Iconf)

# target: sources (besides the harness), pkg-config packages, -max_len
sources() {
	case $1 in
	uevent) echo daemon/uevent.c daemon/num.c ;;
	nlscan) echo daemon/nlparse.c daemon/num.c ;;
	state) echo daemon/state.c daemon/num.c daemon/paths.c daemon/safedir.c daemon/clock.c ;; # state_save() writes through paths
	conf) echo conf/conf.c daemon/num.c daemon/paths.c daemon/safedir.c daemon/sanitize.c ;;  # nlt_conf_load() reads with paths_read_alloc()
	charge) echo daemon/charge.c ;;
	burst) echo daemon/burst.c ;;
	*) return 1 ;;
	esac
}
packages() {
	case $1 in
	conf) echo libconfuse ;;
	esac
}
# The functions each harness is about, for the coverage report.
functions() {
	case $1 in
	uevent) echo 'uevent_parse|parse_kernel|parse_udev|parse_keys|parse_seqnum|header_valid|uevent_get' ;;
	nlscan) echo 'nlparse_table|parse_header|parse_row|split|parse_dec|parse_hex|parse_sk' ;;
	state) echo 'state_parse|state_format|split|parse_u64|parse_boot|parse_udev|parse_pair|check_end' ;;
	conf) echo 'nlt_conf_load_buffer|prescan|parse_|validate_|conf_errfunc|copy_out' ;;
	charge) echo 'charge_' ;;
	burst) echo 'burst_|win_|subsys_|clock_advance' ;;
	esac
}

# Replay the corpus of $1 through an instrumented build; one line per function of interest.
coverage() {
	local t=$1 bin=$OUT/cov_$1 sfx=${LLVM_SUFFIX--14}
	local src
	src=$(sources "$t")
	# shellcheck disable=SC2086
	"$CLANG" -g -O0 -fprofile-instr-generate -fcoverage-mapping -fsanitize=fuzzer \
		-std=gnu11 -D_GNU_SOURCE -Idaemon -Iconf tests/fuzz/fuzz_$t.c $src "${libs[@]}" \
		-o "$bin" || return
	rm -f "$bin.profraw"
	LLVM_PROFILE_FILE=$bin.profraw "$bin" -runs=0 "$OUT/corpus/$t" "$SEEDS/$t" >/dev/null 2>&1
	"llvm-profdata$sfx" merge -sparse "$bin.profraw" -o "$bin.profdata" || return
	echo "== coverage of $t (regions, lines, branches)"
	"llvm-cov$sfx" report "$bin" -instr-profile="$bin.profdata" -show-functions \
		"${src%% *}" | grep -E "^([a-z_]+\.c:)?($(functions "$t"))" |
		awk '{ sub(/^.*:/, "", $1); printf "  %-22s regions %7s lines %7s branches %7s\n",
		       $1, $4, $7, $8 == 0 ? "-" : $10 }'
}

max_len() {
	case $1 in
	uevent) echo 9000 ;;   # UEVENT_MAX_SIZE (8192) and a little more, for -E2BIG
	nlscan) echo 16384 ;;  # ~140 rows, NLPARSE_MAX_LINE (512) times 32
	state) echo 20480 ;;   # STATE_MAX_BOOTS + 1 boot lines of ~150 bytes
	conf) echo 4096 ;;     # the example nltune.conf is 2 KiB
	charge) echo 256 ;;    # a model and 30 payloads
	burst) echo 1024 ;;    # a 16-byte header and 112 events of 9 bytes: every window wraps
	esac
}

mkdir -p "$OUT" "$CRASHES"
status=0
summary=()
for t in "${targets[@]}"; do
	src=$(sources "$t") || { echo "run.sh: unknown target '$t'" >&2; exit 2; }
	pkgs=$(packages "$t")
	libs=()
	if [ -n "$pkgs" ]; then
		# shellcheck disable=SC2207,SC2086 # one word per flag, on purpose
		libs=($(pkg-config --cflags --libs $pkgs)) ||
			{ echo "run.sh: pkg-config $pkgs failed" >&2; exit 2; }
	fi
	bin=$OUT/fuzz_$t
	echo "== build $bin"
	# shellcheck disable=SC2086
	"$CLANG" "${CFLAGS[@]}" tests/fuzz/fuzz_$t.c $src "${libs[@]}" -o "$bin" || exit 2

	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	mkdir -p "$OUT/corpus/$t" "$OUT/artifacts"
	echo "== fuzz $t for ${secs}s"
	# shellcheck disable=SC2046 # -runs=N or nothing
	"$bin" -max_total_time="$secs" $([ -n "${FUZZ_RUNS:-}" ] && echo "-runs=$FUZZ_RUNS") -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "${dict[@]}" -artifact_prefix="$OUT/artifacts/$t-" \
		"$OUT/corpus/$t" "$SEEDS/$t" >"$OUT/$t.log" 2>&1
	rc=$?
	tail -n 25 "$OUT/$t.log" | grep -E '^(#[0-9]+|stat::|==[0-9]+==|SUMMARY)' | tail -n 8

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$t.log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$OUT/$t.log" | tail -n 1)
	found=$(find "$OUT/artifacts" -maxdepth 1 -name "$t-*" -newer "$bin" | wc -l)
	if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
		status=1
		find "$OUT/artifacts" -maxdepth 1 -name "$t-*" -newer "$bin" \
			-exec cp {} "$CRASHES/" \;
		summary+=("$t: FOUND A PROBLEM (exit $rc), execs ${execs:-?}, ${cov:-no cov}")
	else
		summary+=("$t: ok, execs ${execs:-?}, ${cov:-no cov}")
	fi
	[ "${FUZZ_COVERAGE:-0}" = 1 ] && coverage "$t"
done

echo "== summary (${secs}s each)"
printf '%s\n' "${summary[@]}"
exit $status
