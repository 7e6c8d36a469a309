#!/bin/sh
# As the official image does before it starts nginx: each executable /docker-entrypoint.d/*.sh is run, and
# each executable *.envsh sourced, in version order; then each /etc/nginx/templates/NAME.template becomes
# /etc/nginx/conf.d/NAME, with the environment's variables (those set, and no others) substituted.
set -eu

if [ "${1:-}" = nginx ]; then
  for script in $(find /docker-entrypoint.d/ -follow -type f -print | sort -V); do
    [ -x "$script" ] || { echo "$0: ignoring $script, not executable"; continue; }
    case "$script" in
      *.envsh) echo "$0: sourcing $script"; . "$script" ;;
      *.sh) echo "$0: launching $script"; "$script" ;;
      *) echo "$0: ignoring $script" ;;
    esac
  done
  variables=$(env | cut -d= -f1 | sed 's/.*/${&}/' | tr '\n' ' ')
  for template in /etc/nginx/templates/*.template; do
    [ -f "$template" ] || continue
    envsubst "$variables" <"$template" >"/etc/nginx/conf.d/$(basename "$template" .template)"
  done
fi
exec "$@"
