#!/usr/bin/env bash
# Development credentials: a private CA, a TLS server certificate for localhost signed by it, and an
# ES256 key pair for signing and verifying bearer tokens. Never use these outside a developer machine.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/dev-certs.sh DIR

Creates in DIR (files that exist already are kept):
  ca.pem, ca.key                  a development certificate authority
  server.pem, server.key          a server certificate for localhost and 127.0.0.1, signed by the CA
  token-signing.pem               an EC P-256 (ES256) private key, PKCS#8, for minting dev tokens
  token-public.pem                its public key, for the servers' --token-public-keys
  field-keys                      the field-encryption key ring (one key "dev-1", active), for
                                  consular-cases --field-keys
  blind-index.key                 the blind-index key for name search, for --blind-index-key
Private keys are mode 600.
USAGE
}

if [[ $# -ne 1 ]]; then usage >&2; exit 2; fi
case "$1" in -h|--help) usage; exit 0 ;; esac

command -v openssl >/dev/null || { echo "dev-certs.sh: openssl not found; run ops/install-deps.sh" >&2; exit 1; }

DIR=$1
mkdir -p "$DIR"
cd "$DIR"
umask 077

new_ec_key() {  # FILE: a P-256 private key in PKCS#8 PEM
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  chmod 600 "$1"
}

issued_ca=0
if [[ ! -s ca.pem || ! -s ca.key ]]; then
  echo "dev-certs: creating the development CA"
  new_ec_key ca.key
  openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/O=Consular dev/CN=Consular dev CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.pem
  issued_ca=1
fi

# A server certificate is (re)issued when missing, when the CA was just made, or when it expires
# within a day.
if (( issued_ca )) || [[ ! -s server.pem || ! -s server.key ]] \
    || ! openssl x509 -in server.pem -noout -checkend 86400 >/dev/null 2>&1; then
  echo "dev-certs: issuing the server certificate for localhost, 127.0.0.1"
  new_ec_key server.key
  ext=$(mktemp)
  trap 'rm -f "$ext" server.csr' EXIT
  cat >"$ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
EXT
  openssl req -new -key server.key -subj "/O=Consular dev/CN=localhost" -out server.csr
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 825 \
    -extfile "$ext" -out server.pem 2>/dev/null
  rm -f server.csr ca.srl
fi

if [[ ! -s token-signing.pem ]]; then
  echo "dev-certs: creating the ES256 token signing key"
  new_ec_key token-signing.pem
  rm -f token-public.pem
fi
if [[ ! -s token-public.pem ]]; then
  openssl pkey -in token-signing.pem -pubout -out token-public.pem
fi

# Field-encryption key ring and blind-index key (docs/keys.md): 32 random bytes each, in base64.
if [[ ! -s field-keys ]]; then
  echo "dev-certs: creating the field-encryption key ring"
  { echo "# Development field-encryption key ring (docs/keys.md). Never use outside a dev machine."
    echo "dev-1 $(openssl rand -base64 32)"
    echo "active dev-1"
  } >field-keys
fi
if [[ ! -s blind-index.key ]]; then
  echo "dev-certs: creating the blind-index key"
  openssl rand -base64 32 >blind-index.key
fi

chmod 600 ca.key server.key token-signing.pem field-keys blind-index.key
chmod 644 ca.pem server.pem token-public.pem
