#!/bin/sh
# As the official mysql image starts its server: on the first start (an empty data directory) it makes the
# system tables, sets root's password (MYSQL_ROOT_PASSWORD), creates MYSQL_DATABASE and the user MYSQL_USER
# (MYSQL_PASSWORD, all rights on that database), and runs /docker-entrypoint-initdb.d's *.sql, *.sql.gz and
# *.sh, all on a server no network reaches; then it runs the server as the mysql user. Each of those
# variables may instead be read from the file NAME_FILE names (a Docker secret), as in the official image.
set -eu
DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/initialising.sock

sql_string() { printf "'%s'" "$(printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/''/g")"; }
sql_name() { printf '`%s`' "$(printf '%s' "$1" | sed 's/`/``/g')"; }
client() { mariadb --protocol=socket --socket="$SOCKET" -uroot "$@"; }

for name in MYSQL_ROOT_PASSWORD MYSQL_DATABASE MYSQL_USER MYSQL_PASSWORD; do
  eval "file=\${${name}_FILE:-}"
  # shellcheck disable=SC2154  # set by the eval
  [ -z "$file" ] || export "$name=$(cat "$file")"
done

initialise() {
  : "${MYSQL_ROOT_PASSWORD:?the first start needs MYSQL_ROOT_PASSWORD}"
  echo "entrypoint: initialising $DATADIR" >&2
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db >/dev/null
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$SOCKET" &
  server=$!
  for _ in $(seq 60); do mariadb-admin --socket="$SOCKET" -uroot ping >/dev/null 2>&1 && break; sleep 0.5; done
  password=$(sql_string "$MYSQL_ROOT_PASSWORD")
  {
    echo "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD($password);"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $password; GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MYSQL_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS $(sql_name "$MYSQL_DATABASE");"
    fi
    if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
      echo "CREATE USER $(sql_string "$MYSQL_USER")@'%' IDENTIFIED BY $(sql_string "$MYSQL_PASSWORD");"
      if [ -n "${MYSQL_DATABASE:-}" ]; then
        echo "GRANT ALL ON $(sql_name "$MYSQL_DATABASE").* TO $(sql_string "$MYSQL_USER")@'%';"
      fi
    fi
  } | client
  for file in /docker-entrypoint-initdb.d/*; do
    case "$file" in
      *.sql) echo "entrypoint: running $file" >&2; client <"$file" ;;
      *.sql.gz) echo "entrypoint: running $file" >&2; gunzip -c "$file" | client ;;
      *.sh) echo "entrypoint: running $file" >&2; . "$file" ;;
    esac
  done
  mariadb-admin --socket="$SOCKET" -uroot shutdown
  wait "$server"
  echo "entrypoint: $DATADIR is ready" >&2
}

if [ "${1:-}" = mariadbd ] || [ "${1:-}" = mysqld ]; then
  shift
  chown mysql:mysql "$DATADIR" /run/mysqld
  [ -d "$DATADIR/mysql" ] || initialise
  exec mariadbd --user=mysql --datadir="$DATADIR" "$@"
fi
exec "$@"
