#!/usr/bin/env bash
# What an expert would type instead of `dirlink check`, for `npm run bench` to time side by side
# with it: the same reads from the same inputs (dirlink's DIRLINK_* variables and KUBECONFIG), with
# the usual tools and nothing more. It proves the bind works, counts the users with one bounded
# search, reads the realm and its user federations, and reads the deployment; it judges nothing.
#   KUBECTL  the kubectl binary to run (default: kubectl on PATH)
#   EXPERT_SIZE_LIMIT  the bound of the user search (default 300, dirlink's preview window: DEFAULT_CAP in src/ldap/probe.ts)
set -euo pipefail

: "${DIRLINK_LDAP_URL:?}" "${DIRLINK_BIND_DN:?}" "${DIRLINK_BIND_PASSWORD:?}" "${DIRLINK_USERS_DN:?}"
: "${DIRLINK_KEYCLOAK_URL:?}" "${DIRLINK_KEYCLOAK_PASSWORD:?}"
realm=${DIRLINK_REALM:-runai}
namespace=${DIRLINK_NAMESPACE:-runai-backend}
deployment=${DIRLINK_DEPLOYMENT:-runai-backend-deployment}
limit=${EXPERT_SIZE_LIMIT:-300}
if [ "${DIRLINK_VENDOR:-ad}" = ad ]; then
  filter='(&(objectCategory=person)(objectClass=user))' attrs='sAMAccountName userPrincipalName'
else
  filter='(objectClass=inetOrgPerson)' attrs='uid mail'
fi

# Passwords go through files, never argv (ps would show them).
umask 077
secrets=$(mktemp -d)
trap 'rm -rf "$secrets"' EXIT
printf %s "$DIRLINK_BIND_PASSWORD" >"$secrets/bind"
printf %s "$DIRLINK_KEYCLOAK_PASSWORD" >"$secrets/kc"

# Samba AD binds but does not implement the WhoAmI extended operation: after a successful bind it
# answers "not supported" (exit 1); a refused bind is exit 49, which stops the script.
who=$(ldapwhoami -x -H "$DIRLINK_LDAP_URL" -D "$DIRLINK_BIND_DN" -y "$secrets/bind" 2>&1) \
  || grep -q '1.3.6.1.4.1.4203.1.11.3) not supported' <<<"$who" || { echo "$who" >&2; exit 49; }
echo "${who:-bound}"
# -z: the server stops after $limit entries (exit 4, sizeLimitExceeded, is the expected "more than");
# Samba 4.17 ignores the limit and returns every user, one message each, which costs the script time.
rc=0
out=$(ldapsearch -x -LLL -H "$DIRLINK_LDAP_URL" -D "$DIRLINK_BIND_DN" -y "$secrets/bind" -b "$DIRLINK_USERS_DN" \
  -z "$limit" -E pr=500/noprompt "$filter" $attrs) || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || exit "$rc"
users=$(grep -c '^dn:' <<<"$out" || true)
echo "users: $users"

token=$(curl -fsS --data-urlencode "password@$secrets/kc" -d grant_type=password -d client_id=admin-cli \
  -d "username=${DIRLINK_KEYCLOAK_USER:-admin}" "$DIRLINK_KEYCLOAK_URL/realms/master/protocol/openid-connect/token" | jq -r .access_token)
auth="Authorization: Bearer $token"
realm_id=$(curl -fsS -H "$auth" "$DIRLINK_KEYCLOAK_URL/admin/realms/$realm" | jq -r .id)
curl -fsS -H "$auth" "$DIRLINK_KEYCLOAK_URL/admin/realms/$realm/components?parent=$realm_id&type=org.keycloak.storage.UserStorageProvider" | jq -r '.[].name'

"${KUBECTL:-kubectl}" get deployment -n "$namespace" "$deployment"
