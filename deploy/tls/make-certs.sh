#!/usr/bin/env bash
# Makes a private CA, a server certificate for the gateway and device certificates whose
# common name is the device id (the gateway refuses a certificate naming another device).
#
#   deploy/tls/make-certs.sh DIR [DEVICE_ID ...]
#
# DIR gets ca.crt/ca.key (made once, reused when present: adding devices later keeps the CA),
# server.crt/server.key (made once; names from SERVER_NAMES, default "localhost 127.0.0.1"),
# and devices/<id>.crt/<id>.key for every DEVICE_ID given. Keys are 0600. See README.md here.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 DIR [DEVICE_ID ...]" >&2
  exit 2
fi
dir=$1
shift
days=${DAYS:-825}              # the longest lifetime common TLS clients accept for a leaf
ca_days=${CA_DAYS:-3650}
server_names=${SERVER_NAMES:-"localhost 127.0.0.1"}
umask 077
mkdir -p "$dir/devices"

if [ ! -f "$dir/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days "$ca_days" \
    -subj "/O=lockergate/CN=lockergate device CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  echo "made $dir/ca.crt"
fi

# Signs $1.csr with the CA into $1.crt, with the extensions in $2.
sign() {
  openssl x509 -req -in "$1.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days "$days" -sha256 -extfile "$2" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$2"
}

if [ ! -f "$dir/server.key" ]; then
  san=""
  for n in $server_names; do
    if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then san+="IP:$n,"; else san+="DNS:$n,"; fi
  done
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -subj "/O=lockergate/CN=$(echo "$server_names" | cut -d' ' -f1)" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  ext=$(mktemp)
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "${san%,}" > "$ext"
  sign "$dir/server" "$ext"
  echo "made $dir/server.crt for $server_names"
fi

for id in "$@"; do
  # The same pattern the broker checks client ids against (protocol/topics.ts).
  if [[ ! $id =~ ^[a-z0-9][a-z0-9-]{2,22}$ ]]; then
    echo "not a device id: $id" >&2
    exit 2
  fi
  out="$dir/devices/$id"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -subj "/O=lockergate/CN=$id" -keyout "$out.key" -out "$out.csr" 2>/dev/null
  ext=$(mktemp)
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > "$ext"
  sign "$out" "$ext"
  echo "made $out.crt (CN=$id)"
done
