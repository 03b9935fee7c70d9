# Shared helpers of bin/openledger: messages, ports, PID files, health waits.
# Processes are tracked by PID file (pid + kernel start time), never looked up by name.

say() { printf '%s %s\n' "[openledger]" "$*"; }
warn() { printf '%s %s\n' "[openledger] WARN" "$*" >&2; }
die() { printf '%s %s\n' "[openledger] ERROR" "$*" >&2; exit 1; }

# port_in_use PORT: true when something accepts connections on OPENLEDGER_HOST:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/$OPENLEDGER_HOST/$1") 2>/dev/null
}

# require_free_port PART PORT VAR: a clear error naming the port, the part and the setting.
require_free_port() {
  if port_in_use "$2"; then
    die "port $2 needed by $1 is already in use by another process; free it or set $3 to another port"
  fi
}

pid_file() { echo "$OPENLEDGER_RUN_DIR/pids/$1.pid"; }

# The kernel's start time of a PID (field 22 of /proc/PID/stat), to tell our process from a reused PID.
proc_start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  set -- $stat
  [ "$1" != Z ] || return 1 # a zombie has exited already
  echo "${20}"
}

# part_pid PART: prints the PID of the part we started if it is still that same process.
part_pid() {
  local f pid started
  # The cluster mode's jobs live in the cluster, not in a process of ours (bin/lib/cluster.sh).
  if [ "$1" = flink ] && cluster_mode; then cluster_jobs_pid; return; fi
  f=$(pid_file "$1")
  [ -f "$f" ] || return 1
  read -r pid started < "$f" || return 1
  [ -n "$pid" ] && [ "$(proc_start_time "$pid")" = "$started" ] || return 1
  echo "$pid"
}

# stop_tree PID STARTED: TERM a process this script started, if it is still that process (the same
# kernel start time: a PID reused since is left alone), and every process under it, children first.
# Never by name: a user's other processes of the same program are not ours to stop.
stop_tree() {
  local pid=$1 started=$2 child
  [ -n "$pid" ] && [ -n "$started" ] && [ "$(proc_start_time "$pid")" = "$started" ] || return 0
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
    stop_tree "$child" "$(proc_start_time "$child")"
  done
  kill -TERM "$pid" 2>/dev/null || true
}

# The workload of the demo, chaos and the soak runs in the background. workload_start LOG CMD...
# starts it and records its PID and start time; its exit status goes to a file as it ends, since
# bash may no longer know it by then: PIDs wrap (at 32768 here) and a later child of this shell
# taking the workload's PID drops the status bash kept ("not a child of this shell").
workload_start() {
  local log=$1
  shift
  rm -f "$OPENLEDGER_RUN_DIR/workload.rc"
  (
    "$@" >"$log" 2>&1
    echo $? >"$OPENLEDGER_RUN_DIR/workload.rc"
  ) &
  WORKLOAD_PID=$!
  WORKLOAD_STARTED=$(proc_start_time "$WORKLOAD_PID" || true)
}
# workload_running: whether the workload still runs (that very process, not one that took its PID).
workload_running() {
  [ -n "${WORKLOAD_PID:-}" ] && [ -n "${WORKLOAD_STARTED:-}" ] \
    && [ "$(proc_start_time "$WORKLOAD_PID" 2>/dev/null || true)" = "$WORKLOAD_STARTED" ]
}
# workload_wait: waits for the workload to end; succeeds when it did.
workload_wait() {
  while workload_running; do sleep 1; done
  wait "$WORKLOAD_PID" 2>/dev/null || true # reaps it, if bash still knows it
  WORKLOAD_PID=
  [ "$(cat "$OPENLEDGER_RUN_DIR/workload.rc" 2>/dev/null)" = 0 ]
}

# launch PART LOGFILE CMD...: start CMD in its own session, record its PID file.
# The previous run's log is kept beside the new one as LOGFILE.1.
launch() {
  local part=$1 log=$2
  shift 2
  mkdir -p "$OPENLEDGER_RUN_DIR/pids" "$(dirname "$log")"
  [ -f "$log" ] && mv -f "$log" "$log.1"
  setsid "$@" </dev/null >"$log" 2>&1 &
  local pid=$!
  disown "$pid" 2>/dev/null || true # tracked by PID file, not as a job: no "Killed" notices
  local started=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    started=$(proc_start_time "$pid") && break
    sleep 0.05
  done
  echo "$pid $started" > "$(pid_file "$part")"
}

# wait_healthy PART CHECK_FN: poll CHECK_FN until it passes, the process dies, or the timeout ends.
wait_healthy() {
  local part=$1 check=$2 waited=0 log="$OPENLEDGER_RUN_DIR/logs/$1.log"
  while ! "$check" >/dev/null 2>&1; do
    if ! part_pid "$part" >/dev/null; then
      tail -n 30 "$log" >&2 || true
      die "$part exited during start-up; its log is $log"
    fi
    if [ "$waited" -ge $((OPENLEDGER_START_TIMEOUT * 10)) ]; then
      tail -n 30 "$log" >&2 || true
      die "$part did not become healthy within ${OPENLEDGER_START_TIMEOUT}s; its log is $log"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# stop_part PART: TERM the recorded PID (and its session), KILL after a grace period.
stop_part() {
  local part=$1 pid
  if [ "$part" = flink ] && cluster_mode; then
    part_pid flink >/dev/null && say "the jobs stay with the cluster (they resume with it; bin/openledger savepoint stops them)"
    return 0
  fi
  if ! pid=$(part_pid "$part"); then
    rm -f "$(pid_file "$part")"
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    part_pid "$part" >/dev/null || break
    sleep 0.1
  done
  if part_pid "$part" >/dev/null; then
    warn "$part (pid $pid) ignored SIGTERM for 15s; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$(pid_file "$part")"
  say "stopped $part (pid $pid)"
}

http_ok() { curl -fsS --max-time 2 "$1" >/dev/null; }
