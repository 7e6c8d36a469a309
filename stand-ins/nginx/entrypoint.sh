#!/bin/sh
# As the official image does before it starts nginx: each executable /docker-entrypoint.d/*.sh is run, and
# each executable *.envsh sourced, in version order; then each /etc/nginx/templates/NAME.template becomes
# /etc/nginx/conf.d/NAME, with the environment's variables (those set, and no others) substituted.
# Debian's nginx (1.22) takes no `resolve` parameter in an upstream's server (nginx 1.27.3 and later do:
# the name is looked up again while nginx runs). Where UPSTREAM_SERVER asks for it, the parameter is left
# out and this does the same from outside: it looks the name up every second and reloads nginx (gracefully:
# requests in flight finish) when the name's addresses change, as when an instance is added or replaced.
set -eu

addresses() { getent ahostsv4 "$1" | cut -d' ' -f1 | sort -u | tr '\n' ' '; }

follow() {
  known=$(addresses "$1")
  while sleep 1; do
    current=$(addresses "$1")
    [ -n "$current" ] && [ "$current" != "$known" ] || continue
    echo "entrypoint: $1 is now $current; reloading nginx" >&2
    nginx -s reload && known=$current
  done
}

if [ "${1:-}" = nginx ]; then
  case " ${UPSTREAM_SERVER:-} " in
    *" resolve "*)
      upstream=${UPSTREAM_SERVER%%[: ]*}
      UPSTREAM_SERVER=$(printf '%s' "$UPSTREAM_SERVER" | sed 's/ resolve//')
      # nginx would not start on a name that does not resolve yet (with `resolve` it starts, with no server).
      until getent ahostsv4 "$upstream" >/dev/null; do sleep 1; done
      follow "$upstream" &
      ;;
  esac
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
