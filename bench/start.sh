#!/usr/bin/env bash
# Start time and idle footprint of the packaged server on its embedded default (issue 22): the jar is started
# as a user starts it (the README's scripts/run, embedded PostgreSQL, built-in agent), once on a new data dir
# (cold: initdb) and then RUNS times on the same data dir (warm). Each start is timed from the launch of the JVM to
# the first UP of /actuator/health; the log's own lines split it into phases. After the last warm start the server
# idles IDLE seconds and its RSS is read (the JVM, and the PostgreSQL processes beside it).
# "CPU s" is the JVM's own CPU time (user + system) up to that first UP: on a shared, busy machine the wall
# clock follows the load average, the CPU time much less; on 2 idle cores the wall time is at least half of it.
# scripts/run's extracted layout and class data sharing archive are made before the timed starts.
#
#   bench/start.sh                             # the jar in backend/target through scripts/run, its JVM options
#   LAUNCH=jar bench/start.sh                  # plain java -jar of the fat jar (JAVA_OPTS, empty by default)
#   JAR=/tmp/old.jar LAUNCH=jar bench/start.sh # another jar, e.g. the one before a change
#   JAVA_OPTS="-Xmx384m" bench/start.sh        # other JVM options
#   RUNS=5 IDLE=60 bench/start.sh
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-$(ls backend/target/gantry-backend-*.jar | grep -v original | head -1)}
RUNS=${RUNS:-3}
IDLE=${IDLE:-30}
LAUNCH=${LAUNCH:-run}
PORT=${PORT:-18480}
WORK=$(mktemp -d /tmp/gantry-start.XXXXXX)
if [[ $LAUNCH == run ]]; then
  # scripts/run's own default options unless JAVA_OPTS is given
  [[ -z "${JAVA_OPTS+x}" ]] && JAVA_OPTS=$(sed -n 's/^JAVA_OPTS=${JAVA_OPTS-"\(.*\)"}$/\1/p' scripts/run)
  export GANTRY_JAR=$JAR GANTRY_RUN_DIR=$WORK/run JAVA_OPTS
  scripts/run --prepare
  launch=(scripts/run)
else
  JAVA_OPTS=${JAVA_OPTS-}
  # shellcheck disable=SC2206
  launch=(java $JAVA_OPTS -jar "$JAR")
fi
trap 'stop || true; rm -rf "$WORK"' EXIT

pid=""
stop() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  pid=""
}

ms() { date +%s%3N; }

# epoch ms of the first log line matching $1 (Spring Boot's default pattern starts with an ISO timestamp)
at() {
  local line
  line=$(grep -m1 -E "$1" "$2" || true)
  [[ -z "$line" ]] && { echo ""; return; }
  date -d "$(echo "$line" | cut -c1-24)" +%s%3N 2>/dev/null || echo ""
}

phase() { # from to
  if [[ -n "$1" && -n "$2" ]]; then echo $(( $2 - $1 )); else echo "-"; fi
}

start() { # label
  local log="$WORK/$1.log" t0 up
  t0=$(ms)
  SERVER_PORT=$PORT GANTRY_DATA_DIR="$WORK/data" GANTRY_ADMIN_PASSWORD=bench-admin-password-1 \
    "${launch[@]}" >"$log" 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$PORT/actuator/health" 2>/dev/null | grep -q '"UP"'; do
    kill -0 "$pid" 2>/dev/null || { echo "the server died; its log:"; tail -50 "$log"; exit 1; }
    (( $(ms) - t0 > 900000 )) && { echo "not UP within 900 s"; tail -50 "$log"; exit 1; }
    sleep 0.05
  done
  up=$(ms)
  cpu=$(awk '{printf "%.1f", ($14 + $15) / 100}' "/proc/$pid/stat")
  local starting pg flyway jpa tomcat started
  starting=$(at 'Starting GantryApplication' "$log")
  pg=$(at 'Started embedded PostgreSQL' "$log")
  flyway=$(at 'Flyway|Schema .* is up to date|Successfully applied' "$log")
  flyway_done=$(at 'Schema .* is up to date|Successfully applied|No migration necessary' "$log")
  jpa=$(at 'Initialized JPA EntityManagerFactory' "$log")
  tomcat=$(at 'Tomcat started on port' "$log")
  started=$(at 'Started GantryApplication in' "$log")
  printf '| %-6s | %6d | %5s | %6s | %6s | %6s | %6s | %6s | %6s |\n' "$1" $(( up - t0 )) "$cpu" \
    "$(phase "$t0" "$starting")" "$(phase "$starting" "$pg")" "$(phase "$pg" "$flyway_done")" \
    "$(phase "$flyway_done" "$jpa")" "$(phase "$jpa" "$started")" "$(phase "$started" "$up")"
  : "$flyway" "$tomcat"
}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

echo "jar: $JAR ($(stat -c %s "$JAR") bytes)"
echo "launch: $LAUNCH (${launch[*]}), JAVA_OPTS: $JAVA_OPTS"
echo "cores: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg), java: $(java -version 2>&1 | head -1)"
echo
echo "Time to /actuator/health UP, ms; phases from the server's log: JVM = launch to 'Starting GantryApplication';"
echo "DB = from there to 'Started embedded PostgreSQL' (bean definitions, Tomcat, then the PostgreSQL start);"
echo "Flyway; JPA = Hibernate's EntityManagerFactory; rest = the other beans up to 'Started'; health = to the first UP"
echo
echo "| start  |  to UP | CPU s |    JVM |     DB | Flyway |    JPA |   rest | health |"
echo "|--------|-------:|------:|-------:|-------:|-------:|-------:|-------:|-------:|"
start cold
stop
for i in $(seq 1 "$RUNS"); do
  start "warm$i"
  [[ $i -lt $RUNS ]] && stop
done

sleep "$IDLE"
jvm=$(rss_kib "$pid")
pg_total=0
postmaster=$(head -1 "$WORK/data/postgres/postmaster.pid" 2>/dev/null || echo "")
if [[ -n "$postmaster" ]]; then
  for p in $postmaster $(pgrep -P "$postmaster" || true); do
    pg_total=$(( pg_total + $(rss_kib "$p") ))
  done
fi
echo
echo "Idle RSS after ${IDLE} s (cores: $(nproc)):"
echo
echo "| process | RSS MiB |"
echo "|---|---:|"
echo "| server JVM | $(( jvm / 1024 )) |"
echo "| embedded PostgreSQL (postmaster and its children, shared pages counted in each) | $(( pg_total / 1024 )) |"
