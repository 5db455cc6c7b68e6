#!/usr/bin/env bash
# The test world's OpenLDAP: ONE slapd (Debian 'slapd' 2.5) with three mdb databases, on
# ldap://127.0.0.1:3890 (StartTLS offered) and ldaps://127.0.0.1:6360, as root, no systemd.
# usage: openldap.sh up | stop | status | logs
#   up    reuse a healthy running slapd of the same script version, else restore the loaded data
#         dir from the cache tarball, else generate + slapadd (offline) + cache; then start.
#         Prints "RESULT openldap reused|restored|provisioned <seconds> <pid>" and TIMING lines on stdout.
# Trees, accounts and passwords: see gen-openldap.py; $WORLD_ROOT/openldap/world.json describes them.
# env: OL_BIG_USERS=20000, LDAP_PORT=3890, LDAPS_PORT=6360, WORLD_ROOT, WORLD_CACHE_DIR, START_TIMEOUT=30
WORLD_SERVER=openldap
. "$(dirname "$0")/common.sh"
DIR=$WORLD_ROOT/openldap
PIDF=$DIR/run/slapd-fg.pid
DAEMON_LOG=$DIR/log/slapd.out
OL_BIG_USERS=${OL_BIG_USERS:-20000}
LDAP_PORT=${LDAP_PORT:-3890}; LDAPS_PORT=${LDAPS_PORT:-6360}
START_TIMEOUT=${START_TIMEOUT:-30}

bind_ok() {
  [ -f "$DIR/world.json" ] || return 1
  timeout 5 ldapsearch -x -o nettimeout=3 -H "ldap://127.0.0.1:$LDAP_PORT" \
    -D cn=readonly,dc=example,dc=org -w readonly-secret -b dc=example,dc=org -s base dn >/dev/null 2>&1
}
start_slapd() {
  # -d 0: stay in the foreground, so the pid we get is slapd's
  start_daemon slapd 0.1 "$LDAP_PORT $LDAPS_PORT" slapd -f "$DIR/slapd.conf" -h "ldap://127.0.0.1:$LDAP_PORT/ ldaps://127.0.0.1:$LDAPS_PORT/" -d 0
}

provision() {
  local t; t=$(now)
  rm -rf "$DIR"; mkdir -p "$DIR/run" "$DIR/log"
  bash "$LDAP_SCRIPTS/make-ca.sh" "$DIR/tls" ldap.example.org
  timeout 120 /usr/bin/python3 "$LDAP_SCRIPTS/gen-openldap.py" "$DIR" "$LDAP_PORT" "$LDAPS_PORT" "$OL_BIG_USERS" \
    || die "gen-openldap.py failed"
  timeout 30 slaptest -f "$DIR/slapd.conf" -u >"$DIR/log/slaptest.out" 2>&1 || { cat "$DIR/log/slaptest.out" >&2; die "slaptest failed"; }
  timing provision "$(since "$t")"
  t=$(now)
  for suffix in dc=example,dc=org dc=big,dc=test dc=tiny,dc=test; do
    case $suffix in dc=example,dc=org) k=openldap ;; dc=big,dc=test) k=openldapBig ;; *) k=openldapTiny ;; esac
    timeout 300 slapadd -q -f "$DIR/slapd.conf" -b "$suffix" -l "$DIR/ldif/$k.ldif" >"$DIR/log/slapadd-$k.out" 2>&1 \
      || { tail -20 "$DIR/log/slapadd-$k.out" >&2; die "slapadd of $suffix failed"; }
  done
  rm -rf "$DIR/ldif"
  timing seed "$(since "$t")"
}

cmd=${1:-up}
case "$cmd" in
  up)
    world_lock
    T0=$(now)
    KEY=$(cache_key "openldap big=$OL_BIG_USERS ports=$LDAP_PORT,$LDAPS_PORT")
    TARBALL=$WORLD_CACHE_DIR/openldap-$KEY.tgz
    if healthy && [ "$(cat "$DIR/.world-key" 2>/dev/null)" = "$KEY" ]; then
      echo "RESULT openldap reused $(since "$T0") $(cat "$PIDF")"; exit 0
    fi
    if running_pid >/dev/null; then say "running slapd is unhealthy or of another script version: replacing it"; fi
    stop_daemon
    ensure_packages slapd slapadd ldapsearch openssl /usr/bin/python3 -- slapd ldap-utils openssl python3
    restore_or_provision provision start_slapd
    ;;
  stop) world_lock; stop_daemon ;;
  status) if healthy; then echo "running pid $(cat "$PIDF")"; else echo "not running"; exit 1; fi ;;
  logs) tail -n "${2:-50}" "$DAEMON_LOG" ;;
  *) die "unknown command $cmd (up|stop|status|logs)" ;;
esac
