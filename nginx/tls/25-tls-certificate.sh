#!/bin/sh
# Chooses the certificate nginx serves over HTTPS, before nginx starts (the official image runs every
# executable /docker-entrypoint.d/*.sh first; so does the stand-in):
#   - the pair given as files, /run/secrets/tls_certificate (the certificate, then its chain) and
#     /run/secrets/tls_key, when both are there and not empty (Docker secrets, or files mounted there);
#   - otherwise a self-signed one, kept in /etc/nginx/self-signed (a volume), made on the first start and
#     made again when it is within 30 days of its end or TRUSTED_HOSTS names other hosts.
# Either way it logs the certificate's SHA-256 fingerprint, for clients to check it by.
set -eu

GIVEN_CERTIFICATE=/run/secrets/tls_certificate
GIVEN_KEY=/run/secrets/tls_key
SELF_SIGNED=/etc/nginx/self-signed
IN_USE=/etc/nginx/tls

log() { echo "$0: $*"; }

# The names the self-signed certificate is for: loopback's, and TRUSTED_HOSTS' (.example.com: it and
# every subdomain).
subject_alt_names() {
  names="DNS:localhost,IP:127.0.0.1,IP:::1"
  for host in ${TRUSTED_HOSTS:-}; do
    case "$host" in
      .*) names="$names,DNS:${host#.},DNS:*$host" ;;
      *) names="$names,DNS:$host" ;;
    esac
  done
  echo "$names"
}

make_self_signed() {
  names=$1
  umask 077
  mkdir -p "$SELF_SIGNED"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
    -subj "/CN=$(echo "${TRUSTED_HOSTS:-localhost}" | cut -d' ' -f1 | sed 's/^\.//')" \
    -addext "subjectAltName=$names" -addext "basicConstraints=critical,CA:FALSE" \
    -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=serverAuth" \
    -keyout "$SELF_SIGNED/key.pem" -out "$SELF_SIGNED/certificate.pem" 2>/dev/null
  chmod 644 "$SELF_SIGNED/certificate.pem"  # public: clients check the certificate by it
  echo "$names" >"$SELF_SIGNED/names"
}

mkdir -p "$IN_USE"
if [ -s "$GIVEN_CERTIFICATE" ] && [ -s "$GIVEN_KEY" ]; then
  certificate=$GIVEN_CERTIFICATE key=$GIVEN_KEY kind="given ($GIVEN_CERTIFICATE)"
else
  names=$(subject_alt_names)
  if [ -s "$SELF_SIGNED/certificate.pem" ] && [ "$(cat "$SELF_SIGNED/names" 2>/dev/null)" = "$names" ] \
    && openssl x509 -checkend 2592000 -noout -in "$SELF_SIGNED/certificate.pem" >/dev/null; then
    kind="self-signed, kept in $SELF_SIGNED"
  else
    make_self_signed "$names"
    kind="self-signed, made now in $SELF_SIGNED for $names"
  fi
  certificate=$SELF_SIGNED/certificate.pem key=$SELF_SIGNED/key.pem
fi
ln -sf "$certificate" "$IN_USE/certificate.pem"
ln -sf "$key" "$IN_USE/key.pem"
fingerprint=$(openssl x509 -noout -fingerprint -sha256 -in "$certificate" | cut -d= -f2)
log "TLS certificate $kind; SHA-256 fingerprint $fingerprint"
