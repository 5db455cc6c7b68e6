#!/usr/bin/env bash
# Make a throw-away test CA and a server certificate signed by it (for LDAPS and StartTLS).
# usage: make-ca.sh OUTDIR DNS_NAME...
#   OUTDIR/ca.pem (CA certificate), ca.key, server.pem, server.key (0600), names.txt (the SANs, one a line)
#   SANs: DNS:localhost, every DNS_NAME, DNS:$(hostname), IP:127.0.0.1, IP:::1
#   ($(hostname) because libldap checks ldap://localhost URLs against the machine's host name)
set -euo pipefail
OUT=${1:?outdir}; shift
mkdir -p "$OUT"; cd "$OUT"
umask 077
names=(localhost "$@" "$(hostname)")
san=""; : > names.txt
for n in "${names[@]}"; do
  grep -qxF "$n" names.txt && continue
  echo "$n" >> names.txt; san="${san:+$san,}DNS:$n"
done
printf '127.0.0.1\n::1\n' >> names.txt
san="$san,IP:127.0.0.1,IP:::1"
timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/O=dirlink test world/CN=dirlink test CA" \
  -keyout ca.key -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
timeout 60 openssl req -newkey rsa:2048 -nodes -subj "/CN=${1:-localhost}" -keyout server.key -out server.csr 2>/dev/null
cat > server.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$san
EXT
timeout 60 openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
  -extfile server.ext -out server.pem 2>/dev/null
chmod 600 server.key ca.key; chmod 644 ca.pem server.pem names.txt
rm -f server.csr server.ext ca.srl
