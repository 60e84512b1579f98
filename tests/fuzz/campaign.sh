#!/bin/bash
# A long fuzzing campaign over every target built by `make fuzz`:
#
#   tests/fuzz/campaign.sh FUZZDIR WORKDIR SECONDS [JOBS]
#
# runs each FUZZDIR/fuzz_NAME for SECONDS in all, JOBS (2) at a time, on a
# working corpus WORKDIR/corpus/NAME started from the seeds in
# tests/fuzz/NAME (which are not written to). A crash stops libFuzzer; the
# target is then started again for the time left, so that one bug does not
# end its campaign. Crashing inputs land in WORKDIR/crashes, logs in
# WORKDIR/logs, and WORKDIR/summary gets one line per target:
# "NAME SECONDS RUNS CRASHES", RUNS summed over libFuzzer's final
# stat::number_of_executed_units.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$1 work=$2 total=$3 jobs=${4:-2}
mkdir -p "$work/corpus" "$work/crashes" "$work/logs"
: >"$work/summary"

one() {
	local t=$1 name left start runs=0 crashes=0 i=0 log u
	name=$(basename "$t"); name=${name#fuzz_}
	mkdir -p "$work/corpus/$name"
	left=$total
	while [ "$left" -gt 5 ] && [ $i -lt 50 ]; do
		i=$((i + 1))
		log=$work/logs/$name.$i.log
		start=$(date +%s)
		"$t" -max_total_time="$left" -print_final_stats=1 -timeout=10 \
		    -rss_limit_mb=2048 -artifact_prefix="$work/crashes/$name-" \
		    "$work/corpus/$name" "$here/$name" >"$log" 2>&1 ||
		    crashes=$((crashes + 1))
		u=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		runs=$((runs + ${u:-0}))
		left=$((left - ($(date +%s) - start)))
	done
	echo "$name $total $runs $crashes" >>"$work/summary"
}

for t in "$bin"/fuzz_*; do
	[ -x "$t" ] || continue
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	one "$t" &
done
wait
sort -o "$work/summary" "$work/summary"
cat "$work/summary"
