#!/usr/bin/env bash
# A throwaway CA and certificates for TLS listeners and clients (tests, config/secure/). PEM only.
#   scripts/make-test-certs.sh <out-dir> [extra SAN, e.g. DNS:broker1.example]
# Writes, in <out-dir>:
#   ca.pem                    the CA certificate (ssl.truststore.location with ssl.truststore.type=PEM)
#   broker.pem                broker key + certificate (CN=localhost, SAN localhost/127.0.0.1/::1) — ssl.keystore.location
#   client-alice.pem          client key + certificate, DN CN=alice,OU=eng,O=samsa (mTLS)
#   client-broker.pem         key + certificate, DN CN=broker,OU=brokers,O=samsa (inter-broker mTLS identity)
#   untrusted.pem             key + self-signed certificate no CA vouches for (CN=mallory)
#   expired.pem               key + CA-signed certificate whose validity ended (CN=expired)
# Keys are unencrypted RSA 2048; certificates are valid 30 days. Never use them for anything real.
set -euo pipefail
OUT=${1:?usage: make-test-certs.sh <out-dir> [extra-SAN]}
EXTRA_SAN=${2:-}
mkdir -p "$OUT"
cd "$OUT"
SAN="DNS:localhost,IP:127.0.0.1,IP:::1${EXTRA_SAN:+,$EXTRA_SAN}"

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 30 -subj "/O=samsa/CN=Samsa Test CA" 2>/dev/null

sign() { # name subject [san]
  local name=$1 subject=$2 san=${3:-}
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subject" 2>/dev/null
  local ext
  ext=$(mktemp)
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' > "$ext"
  [ -n "$san" ] && printf 'subjectAltName=%s\n' "$san" >> "$ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out "$name.crt" -days 30 -extfile "$ext" 2>/dev/null
  rm -f "$ext" "$name.csr"
  cat "$name.key" "$name.crt" > "$name.pem"
  rm -f "$name.key" "$name.crt"
}

sign broker "/O=samsa/CN=localhost" "$SAN"
sign client-alice "/O=samsa/OU=eng/CN=alice"
sign client-broker "/O=samsa/OU=brokers/CN=broker" "$SAN"

openssl req -x509 -newkey rsa:2048 -nodes -keyout untrusted.key -out untrusted.crt -days 30 -subj "/O=evil/CN=mallory" 2>/dev/null
cat untrusted.key untrusted.crt > untrusted.pem
rm -f untrusted.key untrusted.crt

# Expired: signed by the CA with a validity window in the past (openssl x509 cannot backdate;
# `openssl ca` with explicit -startdate/-enddate can).
openssl req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr -subj "/O=samsa/CN=expired" 2>/dev/null
mkdir -p ca-db
: > ca-db/index.txt
cat > ca-db/ca.cnf <<CNF
[ ca ]
default_ca = test
[ test ]
database = ca-db/index.txt
new_certs_dir = ca-db
serial = ca-db/serial
default_md = sha256
policy = any
unique_subject = no
[ any ]
commonName = supplied
organizationName = optional
CNF
echo 01 > ca-db/serial
openssl ca -batch -config ca-db/ca.cnf -cert ca.pem -keyfile ca-key.pem -in expired.csr -out expired.crt \
  -startdate 20200101000000Z -enddate 20200201000000Z -notext 2>/dev/null
cat expired.key expired.crt > expired.pem
rm -rf expired.key expired.csr expired.crt ca-db ca.srl
echo "certificates in $OUT: ca.pem broker.pem client-alice.pem client-broker.pem untrusted.pem expired.pem"
