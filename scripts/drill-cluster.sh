# Sourced by the drills: a throwaway PostgreSQL cluster under $work/db (as user postgres when
# root), the platform's roles and the demo départements in database $RDV_DATABASE_NAME.
# Needs $work and $rdv; defines $bin, $socket, $psql_owner, start_cluster, stop_cluster.
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_postgres=()
[ "$(id -u)" -eq 0 ] && as_postgres=(runuser -u postgres --)
socket="$work/db/run"

start_cluster() {
  mkdir -p "$work/db/postgres" "$socket"
  chmod 700 "$work/db/postgres" "$socket"
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$work/db"
  "${as_postgres[@]}" "$bin/initdb" -D "$work/db/postgres" -U postgres --auth=trust --encoding=UTF8 --no-locale --no-sync >/dev/null
  "${as_postgres[@]}" "$bin/pg_ctl" start -D "$work/db/postgres" -w -l "$work/db/postgres.log" \
    -o "-c listen_addresses='' -c unix_socket_directories='$socket' -c max_connections=300" >/dev/null
  RDV_ENV=development "$rdv" demo --data-dir "$work/db" > "$work/demo.log" 2>&1 || { cat "$work/demo.log"; return 1; }
}

stop_cluster() {
  "${as_postgres[@]}" "$bin/pg_ctl" stop -D "$work/db/postgres" -m immediate >/dev/null 2>&1 || true
}

psql_owner=(psql -X -q -v ON_ERROR_STOP=1 -h "$socket" -U rdv_owner -d "$RDV_DATABASE_NAME")
