#!/usr/bin/env bash
# The test world's Samba Active Directory DC (realm EXAMPLE.TEST), on loopback, as root, no systemd.
# usage: samba-ad.sh up | stop | status | strong-auth yes|no | logs
#   up           reuse a healthy running DC of the same script version, else restore the seeded data
#                dir from the cache tarball, else provision + seed + cache; then start. Prints
#                "RESULT samba-ad reused|restored|provisioned <seconds>" and TIMING lines on stdout.
#   stop         stop the DC (SIGTERM to the samba -F process, then KILL leftovers)
#   strong-auth  rewrite 'ldap server require strong auth' in smb.conf and restart the DC
# Ports (fixed by Samba; 127.0.0.1 and ::1): 389 ldap (+StartTLS), 636 ldaps, 3268/3269 GC, 88/464 kdc.
# Data dir: $WORLD_ROOT/samba-ad (smb.conf holds absolute paths: always restored to the same path).
# What was seeded (DNs, accounts, passwords): $WORLD_ROOT/samba-ad/world.json, see seed-samba-ad.py.
# env: AD_USERS=1000 (bulk users), WORLD_ROOT, WORLD_CACHE_DIR, START_TIMEOUT=60
WORLD_SERVER=samba-ad
. "$(dirname "$0")/common.sh"
DIR=$WORLD_ROOT/samba-ad
CONF=$DIR/etc/smb.conf
PIDF=$DIR/run/samba-fg.pid
DAEMON_LOG=$DIR/log/samba.out
AD_USERS=${AD_USERS:-1000}
START_TIMEOUT=${START_TIMEOUT:-60}
REALM=EXAMPLE.TEST; DOMAIN=EXAMPLE
ADMIN_PASS='Adm1n-Passw0rd!'
PORTS="389 636 3268 3269 88 464"

json_get() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$DIR/world.json" "$1"; }

# bind as the service account over LDAPS (works whether or not strong auth is required)
bind_ok() {
  [ -f "$DIR/world.json" ] || return 1
  LDAPTLS_CACERT="$DIR/tls/ca.pem" LDAPTLS_REQCERT=demand timeout 5 ldapsearch -x -o nettimeout=3 \
    -H ldaps://127.0.0.1:636 -D "$(json_get bindUpn)" -w "$(json_get bindPassword)" \
    -b "" -s base dnsHostName >/dev/null 2>&1
}
start_dc() {
  start_daemon samba 0.2 "$PORTS" samba -F -M single -s "$CONF" --debug-stdout -d 1
}

set_strong_auth() {  # yes|no
  sed -i "s/^\(\s*ldap server require strong auth\s*=\).*/\1 $1/" "$CONF"
  grep -q "ldap server require strong auth = $1" "$CONF" || die "could not set strong auth in $CONF"
}

provision() {
  local t; t=$(now)
  rm -rf "$DIR"; mkdir -p "$DIR/run" "$DIR/log"
  timeout 300 samba-tool domain provision --targetdir="$DIR" \
    --realm="$REALM" --domain="$DOMAIN" --server-role=dc --dns-backend=NONE \
    --adminpass="$ADMIN_PASS" --host-name=dc1 \
    --option="interfaces=lo" --option="bind interfaces only=yes" \
    > "$DIR/log/provision.log" 2>&1 || { tail -30 "$DIR/log/provision.log" >&2; die "samba-tool domain provision failed"; }
  bash "$LDAP_SCRIPTS/make-ca.sh" "$DIR/tls" "dc1.example.test"
  # provision ignores '--option=ldap server require strong auth' and writes its own long
  # 'server services' line (the last one wins): delete it, then add ours to [global]
  sed -i '/^\s*server services\s*=/d' "$CONF"
  local extra="\tserver services = ldap cldap kdc\n\tldap server require strong auth = no"
  extra="$extra\n\tpid directory = $DIR/run\n\tlog file = $DIR/log/log.%m"
  extra="$extra\n\twinbindd socket directory = $DIR/run/winbindd\n\tntp signd socket directory = $DIR/run/ntp_signd"
  extra="$extra\n\ttls enabled = yes\n\ttls keyfile = $DIR/tls/server.key\n\ttls certfile = $DIR/tls/server.pem\n\ttls cafile = $DIR/tls/ca.pem"
  sed -i "/^\[global\]/a\\$extra" "$CONF"
  timing provision "$(since "$t")"
  t=$(now)
  AD_ADMIN_PASSWORD="$ADMIN_PASS" timeout 300 /usr/bin/python3 "$LDAP_SCRIPTS/seed-samba-ad.py" "$DIR" "$AD_USERS" \
    || die "seeding failed"
  timing seed "$(since "$t")"
}

cmd=${1:-up}
case "$cmd" in
  up)
    world_lock
    T0=$(now)
    KEY=$(cache_key "samba-ad users=$AD_USERS")
    TARBALL=$WORLD_CACHE_DIR/samba-ad-$KEY.tgz
    if healthy && [ "$(cat "$DIR/.world-key" 2>/dev/null)" = "$KEY" ]; then
      if ! grep -q "ldap server require strong auth = no" "$CONF"; then
        say "strong auth was left on by an earlier run: turning it off"
        set_strong_auth no; stop_daemon; start_dc
      fi
      echo "RESULT samba-ad reused $(since "$T0") $(cat "$PIDF")"; exit 0
    fi
    if running_pid >/dev/null; then say "running DC is unhealthy or of another script version: replacing it"; fi
    stop_daemon
    ensure_packages samba samba-tool ldapsearch openssl /usr/share/samba/setup/ad-schema/AD_DS_Attributes__Windows_Server_2012_R2.ldf -- \
      samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules winbind ldap-utils openssl ca-certificates
    /usr/bin/python3 -c 'import samba' 2>/dev/null || die "/usr/bin/python3 has no samba module (package python3-samba)"
    restore_or_provision provision start_dc
    ;;
  stop) world_lock; stop_daemon ;;
  status) if healthy; then echo "running pid $(cat "$PIDF")"; else echo "not running"; exit 1; fi ;;
  strong-auth)
    v=${2:?yes|no}; [ "$v" = yes ] || [ "$v" = no ] || die "strong-auth yes|no"
    world_lock
    running_pid >/dev/null || die "not running"
    set_strong_auth "$v"; stop_daemon; start_dc ;;
  logs) tail -n "${2:-50}" "$DAEMON_LOG" ;;
  *) die "unknown command $cmd (up|stop|status|strong-auth yes|no|logs)" ;;
esac
