#!/bin/sh
# As the official image does before it starts nginx: each /etc/nginx/templates/NAME.template becomes
# /etc/nginx/conf.d/NAME, with the environment's variables (those set, and no others) substituted.
set -eu
if [ "${1:-}" = nginx ]; then
  variables=$(env | cut -d= -f1 | sed 's/.*/${&}/' | tr '\n' ' ')
  for template in /etc/nginx/templates/*.template; do
    [ -f "$template" ] || continue
    envsubst "$variables" <"$template" >"/etc/nginx/conf.d/$(basename "$template" .template)"
  done
fi
exec "$@"
