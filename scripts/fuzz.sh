#!/usr/bin/env bash
# Run every fuzz target of the module for a given time each, one after the
# other, and print the executions of each and whether it found a failure.
#
#   scripts/fuzz.sh [TIME] [PATTERN]
#
# TIME is go test's -fuzztime (default 5m: 30s, 1m, 1000x...); PATTERN, a
# regular expression, keeps the targets whose "package.FuzzName" matches it
# (default: all). A failing input is written by go test into the package's
# testdata/fuzz/FuzzName/ directory: commit it with the fix, and the seed
# corpus that `go test ./...` runs keeps it fixed. The exit status is 1 if
# any target failed. Logs go to ${FUZZ_LOGS:-$TMPDIR/imictl-fuzz}.
set -euo pipefail

cd "$(dirname "$0")/.."
time=${1:-5m}
pattern=${2:-.}
logs=${FUZZ_LOGS:-${TMPDIR:-/tmp}/imictl-fuzz}
mkdir -p "$logs"

failed=0
printf '%-40s %-32s %14s  %s\n' PACKAGE TARGET EXECUTIONS RESULT
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		short=${pkg#github.com/imictl/imictl/}
		if ! [[ "$short.$target" =~ $pattern ]]; then
			continue
		fi
		log="$logs/${short//\//_}.$target.log"
		result=ok
		if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time" >"$log" 2>&1; then
			result="FAILED (see $log)"
			failed=1
		fi
		execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
		printf '%-40s %-32s %14s  %s\n' "$short" "$target" "${execs:-?}" "$result"
	done
done
exit $failed
