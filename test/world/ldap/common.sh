# Shared helpers for the test world's directory-server scripts (sourced, not run).
# Conventions:
#   WORLD_ROOT      where server data dirs live (default /tmp/dirlink-world); paths are baked into
#                   config files, so a cached tarball is always restored to the same path
#   WORLD_CACHE_DIR where seeded tarballs are kept (default <repo>/.cache/world)
#   stdout lines "TIMING <name> <seconds>" and "RESULT <server> <mode> <seconds>" are parsed by
#   test/world/directories.ts; everything else is human-readable progress on stderr.
set -euo pipefail
LDAP_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$LDAP_SCRIPTS/../../.." && pwd)
WORLD_ROOT=${WORLD_ROOT:-/tmp/dirlink-world}
WORLD_CACHE_DIR=${WORLD_CACHE_DIR:-$REPO_ROOT/.cache/world}
mkdir -p "$WORLD_ROOT"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }
say() { echo "[$WORLD_SERVER] $*" >&2; }
timing() { echo "TIMING $WORLD_SERVER.$1 $2"; }
die() { say "ERROR: $*"; exit 1; }

# Hold an exclusive lock for the rest of the script (several vitest runs may share one world).
world_lock() {
  exec 9>"$WORLD_ROOT/.$WORLD_SERVER.lock"
  flock -w "${WORLD_LOCK_TIMEOUT:-300}" 9 || die "could not lock $WORLD_ROOT/.$WORLD_SERVER.lock within ${WORLD_LOCK_TIMEOUT:-300}s"
}

# ensure_packages CMD... -- PKG...: installs PKGs (as root, via apt) when any CMD is missing.
ensure_packages() {
  local cmds=() pkgs=() missing=0 seen_sep=0 c
  for c in "$@"; do
    if [ "$c" = -- ]; then seen_sep=1; elif [ $seen_sep = 0 ]; then cmds+=("$c"); else pkgs+=("$c"); fi
  done
  for c in "${cmds[@]}"; do
    [ -e "$c" ] || command -v "$c" >/dev/null 2>&1 || missing=1
  done
  [ $missing = 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing ${cmds[*]}; install as root: apt-get install ${pkgs[*]}"
  local t; t=$(now)
  say "installing ${pkgs[*]} (apt)"
  (
    exec 8>"$WORLD_ROOT/.apt.lock"; flock -w 900 8
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$(find /var/lib/apt/lists -name '*Packages*' -print -quit 2>/dev/null)" ]; then
      timeout 600 apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    fi
    timeout 900 apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${pkgs[@]}" >&2
  ) || die "apt-get install ${pkgs[*]} failed"
  timing install "$(since "$t")"
}

# cache_key PARAMS...: hash of every script in this directory (not the *.md docs) + installed
# versions + host name (it is in the certificates) + PARAMS
cache_key() {
  {
    for f in $(cd "$LDAP_SCRIPTS" && ls | grep -v '\.md$' | LC_ALL=C sort); do echo "== $f"; cat "$LDAP_SCRIPTS/$f"; done
    dpkg-query -W -f='${Package} ${Version}\n' samba slapd 2>/dev/null || true
    hostname; echo "$WORLD_ROOT"; echo "$*"
  } | sha256sum | cut -c1-16
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# kill_tree PID: TERM, wait up to 10 s, then KILL the process and its descendants
kill_tree() {
  local p=$1 kids c
  descendants() { local c; for c in $(ps --ppid "$1" -o pid= 2>/dev/null); do echo "$c"; descendants "$c"; done; }
  kids=$(descendants "$p")
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 100); do pid_alive "$p" || break; sleep 0.1; done
  for c in $p $kids; do pid_alive "$c" && kill -KILL "$c" 2>/dev/null || true; done
  for _ in $(seq 1 30); do pid_alive "$p" || break; sleep 0.1; done
}

# port_busy PORT: true when something listens on PORT (TCP; ss from iproute2 when present, else a
# connect to 127.0.0.1 through bash's /dev/tcp)
port_busy() {
  if command -v ss >/dev/null 2>&1; then ss -Htln "( sport = :$1 )" 2>/dev/null | grep -q .
  else timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; fi
}

# save_cache DIR TARBALL: tar a STOPPED data dir (no run/ or log/ contents) atomically; -S keeps
# sparse files sparse (mdb data files are as big as their maxsize, mostly holes)
save_cache() {
  local dir=$1 tarball=$2 t; t=$(now)
  mkdir -p "$(dirname "$tarball")" 2>/dev/null || { say "cache dir not writable; not caching"; return 0; }
  local tmp="$tarball.tmp.$$"
  if tar -C "$(dirname "$dir")" --exclude="$(basename "$dir")/run/*" --exclude="$(basename "$dir")/log/*" \
       -S -cf - "$(basename "$dir")" 2>/dev/null | gzip -1 > "$tmp"; then
    mv -f "$tmp" "$tarball"
    # drop tarballs of older script versions of the same server
    find "$(dirname "$tarball")" -maxdepth 1 -name "$WORLD_SERVER-*.tgz" ! -name "$(basename "$tarball")" -delete 2>/dev/null || true
    timing cache-save "$(since "$t")"
  else
    rm -f "$tmp"; say "could not write cache $tarball"
  fi
}

restore_cache() {
  local dir=$1 tarball=$2
  rm -rf "$dir"
  tar -C "$(dirname "$dir")" -S -xzf "$tarball" 2>/dev/null || { rm -rf "$dir"; return 1; }
  mkdir -p "$dir/run" "$dir/log"
}

# spawn_daemon LOGFILE CMD...: start CMD in the background with stdin /dev/null, stdout+stderr to
# LOGFILE and every other inherited descriptor closed (our lock on fd 9, pipes of whoever ran us:
# a daemon holding them would keep the lock or make the caller wait for EOF). Sets DAEMON_PID.
spawn_daemon() {
  local log=$1; shift
  (
    for fd in $(ls /proc/$BASHPID/fd); do
      [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
    done
    exec "$@"
  ) </dev/null >"$log" 2>&1 &
  DAEMON_PID=$!
}

# The pid-file lifecycle both servers share. The server script sets PIDF (the foreground
# daemon's pid file), DAEMON_LOG and START_TIMEOUT, and defines bind_ok, its own health probe.
running_pid() { [ -f "$PIDF" ] && pid_alive "$(cat "$PIDF")" && cat "$PIDF"; }
healthy() { running_pid >/dev/null && bind_ok; }
stop_daemon() {
  local p; p=$(cat "$PIDF" 2>/dev/null || true)
  if pid_alive "$p"; then say "stopping pid $p"; kill_tree "$p"; fi
  rm -f "$PIDF"
}
log_tail() { say "--- tail of $DAEMON_LOG:"; tail -40 "$DAEMON_LOG" >&2 2>/dev/null || true; }

# start_daemon NAME POLL_SECONDS "PORTS" CMD...: refuse ports another process holds, start CMD in
# the foreground mode of the daemon (so its pid is the one recorded), wait until bind_ok.
start_daemon() {
  local name=$1 poll=$2 ports=$3 t p port deadline; shift 3
  t=$(now)
  for port in $ports; do
    port_busy "$port" && { ss -Htlnp "( sport = :$port )" >&2 || true; die "port $port is in use by another process (see above); cannot start $name"; }
  done
  mkdir -p "$DIR/run" "$DIR/log"
  spawn_daemon "$DAEMON_LOG" "$@"
  p=$DAEMON_PID; echo "$p" > "$PIDF"
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  until bind_ok; do
    if ! pid_alive "$p"; then log_tail; rm -f "$PIDF"; die "$name exited during start"; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then log_tail; kill_tree "$p"; rm -f "$PIDF"; die "$name did not accept binds within ${START_TIMEOUT}s"; fi
    sleep "$poll"
  done
  timing start "$(since "$t")"
  say "running, pid $p"
}

# The data dir from the cache tarball when it holds this script version, else provision, seed and
# cache it; then start. usage: restore_or_provision PROVISION_FN START_FN (DIR, KEY, TARBALL, T0, PIDF set)
restore_or_provision() {
  local provision_fn=$1 start_fn=$2 t
  if [ -f "$TARBALL" ] && t=$(now) && restore_cache "$DIR" "$TARBALL" && [ "$(cat "$DIR/.world-key" 2>/dev/null)" = "$KEY" ]; then
    timing restore "$(since "$t")"
    rm -f "$WORLD_ROOT/.owner-$WORLD_SERVER"  # a fresh process: nobody owns it yet (directories.ts claims it)
    "$start_fn"
    echo "RESULT $WORLD_SERVER restored $(since "$T0") $(cat "$PIDF")"
  else
    [ -f "$TARBALL" ] && say "cache $TARBALL unusable: provisioning"
    "$provision_fn"
    echo "$KEY" > "$DIR/.world-key"
    rm -f "$WORLD_ROOT/.owner-$WORLD_SERVER"
    save_cache "$DIR" "$TARBALL"
    "$start_fn"
    echo "RESULT $WORLD_SERVER provisioned $(since "$T0") $(cat "$PIDF")"
  fi
}
