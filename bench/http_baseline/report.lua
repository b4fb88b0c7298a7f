-- wrk script for bench/http_baseline/run.sh: prints one parseable line
-- at the end of a run. Latencies are in microseconds, as wrk records them.
--
--   WRK_RESULT rps=<req/s> p50_us=<n> p99_us=<n> mean_us=<n> requests=<n> errors=<n>

done = function(summary, latency, requests)
	local e = summary.errors
	local errors = e.connect + e.read + e.write + e.status + e.timeout
	local seconds = summary.duration / 1e6
	io.write(string.format(
		"WRK_RESULT rps=%.1f p50_us=%d p99_us=%d mean_us=%d requests=%d errors=%d\n",
		summary.requests / seconds,
		latency:percentile(50), latency:percentile(99), latency.mean,
		summary.requests, errors))
end
