# Turns the output of `wrk --latency` into one RESULT line, as the load generators print.
#   awk -v label="label=... concurrency=..." -v rate_name=events_per_s -f bench/wrk/summary.awk
/Requests\/sec/ {rate = $2}
$1 == "50%" {p50 = $2}
$1 == "90%" {p90 = $2}
$1 == "99%" {p99 = $2}
/Non-2xx/ {non2xx = $NF}
/Socket errors/ {errors = $0; sub(/^ *Socket errors: */, "", errors); gsub(/, /, ",", errors); gsub(/ /, "=", errors)}
END {printf "RESULT %s %s=%d p50=%s p90=%s p99=%s non_2xx=%d socket_errors=%s\n", label, rate_name, rate, p50, p90, p99, non2xx, errors ? errors : "none"}
