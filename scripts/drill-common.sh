# Shared by scripts/failover-drill and scripts/backup-drill (sourced, not run): PostgreSQL as the
# postgres user, the release `rdv` serving the demonstration on an external database, and the
# booking load of scripts/booking-load.py.

pgbin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
# The release build when there is one (`swift build -c release --product rdv`), else the debug one.
rdv=${RDV_BIN:-$PWD/.build/release/rdv}
[ -x "$rdv" ] || [ -n "${RDV_BIN:-}" ] || rdv=$PWD/.build/debug/rdv
[ -x "$rdv" ] || { echo "no $rdv: build it first (swift build -c release --product rdv)" >&2; exit 1; }

# Runs a PostgreSQL program as the postgres user (initdb and pg_autoctl refuse root), from "/".
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- env -C / PATH="$pgbin:$PATH" "$@"
  else
    env PATH="$pgbin:$PATH" "$@"
  fi
}

# A work folder under /tmp that the postgres user owns.
make_work() {
  local work
  work=$(mktemp -d "/tmp/$1-XXXXXX")
  chmod 755 "$work"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$work"
  echo "$work"
}

sql() {  # port, then psql arguments; as the superuser, over loopback
  local port=$1; shift
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"
}

now() { date +%s.%N; }

# Stops the server this script started: gracefully, then for good after 15 s.
stop_server() {
  [ -n "$server" ] || return 0
  kill "$server" 2>/dev/null || return 0
  for _ in $(seq 1 30); do kill -0 "$server" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}

# The roles and database of deploy/postgres-bootstrap.sql, with this run's passwords.
bootstrap_platform() {  # port
  sed -e "s/change-me-owner/$owner_password/" -e "s/change-me-app/$app_password/" deploy/postgres-bootstrap.sql | sql "$1" -d postgres
}

# `rdv serve --demo` on the given URLs: migrations, Tenants/ and the demonstration, then serving.
start_app() {  # app URL, owner URL, port, log
  DATABASE_URL="$1" DATABASE_OWNER_URL="$2" RDV_ENV=development LOG_LEVEL=${DRILL_LOG_LEVEL:-notice} \
    RDV_API_RATE_LIMIT=100000 RDV_DATABASE_NAME=rdv \
    "$rdv" serve --demo --stats-interval 0 --data-dir "$work/app" --port "$3" > "$4" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    curl -fs -o /dev/null "http://127.0.0.1:$3/healthz" && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.5
  done
  echo "rdv serve did not start; its log:" >&2
  tail -30 "$4" >&2
  return 1
}

# An API token of the Pas-de-Calais administrator, 40 agents of one organisation who serve one
# motif at one lieu: what booking-load.py books with. Sets load_args.
# The primary is a port on loopback (password $owner_password), or a socket folder (a path,
# trusted, database $RDV_DATABASE_NAME). Also sets load_token, the token's secret.
prepare_load() {  # port of the primary or its socket folder, app port
  local port=$1 secret
  secret="rdv_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | head -c 43)"
  load_token=$secret
  local psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U rdv_owner -d rdv)
  [ "${port:0:1}" = / ] && psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$port" -U rdv_owner -d "$RDV_DATABASE_NAME")
  local owner_password=${owner_password:-}
  PGPASSWORD=$owner_password "${psql[@]}" -v secret="$secret" <<'SQL'
SET search_path = dept_62;
CREATE TEMP TABLE o AS SELECT organisation_id AS id FROM motifs WHERE NOT collective AND archived_at IS NULL ORDER BY name LIMIT 1;
INSERT INTO lieux (organisation_id, name, address) SELECT id, 'Lieu de l’exercice', '1 rue de la Bascule' FROM o;
INSERT INTO agents (email, first_name, last_name, role, organisation_id)
SELECT 'exercice' || n || '@pas-de-calais.demo', 'Agent', 'Exercice ' || n, 'agent', (SELECT id FROM o) FROM generate_series(1, 40) n;
INSERT INTO agent_services (agent_id, service_id)
SELECT a.id, m.service_id FROM agents a, (SELECT service_id FROM motifs WHERE organisation_id = (SELECT id FROM o) AND NOT collective AND archived_at IS NULL ORDER BY name LIMIT 1) m
WHERE a.email LIKE 'exercice%' ON CONFLICT DO NOTHING;
INSERT INTO usagers (first_name, last_name, birth_date, email, phone)
VALUES ('Camille', 'Exercice', date '1990-01-01', 'camille.exercice@exemple.fr', '+33611223344');
INSERT INTO api_tokens (agent_id, name, token_hash, prefix, scopes, expires_at)
SELECT id, 'Exercice', sha256(convert_to(:'secret', 'UTF8')), left(:'secret', 10), '{read,write}', now() + interval '1 day'
FROM agents WHERE email = 'departement@pas-de-calais.demo';
SQL
  local motif lieu usager agents
  motif=$(PGPASSWORD=$owner_password "${psql[@]}" -tA -c "SELECT m.id FROM dept_62.motifs m JOIN dept_62.lieux l ON l.organisation_id = m.organisation_id AND l.name = 'Lieu de l’exercice' WHERE NOT m.collective AND m.archived_at IS NULL ORDER BY m.name LIMIT 1")
  lieu=$(PGPASSWORD=$owner_password "${psql[@]}" -tA -c "SELECT id FROM dept_62.lieux WHERE name = 'Lieu de l’exercice'")
  usager=$(PGPASSWORD=$owner_password "${psql[@]}" -tA -c "SELECT id FROM dept_62.usagers WHERE email = 'camille.exercice@exemple.fr'")
  agents=$(PGPASSWORD=$owner_password "${psql[@]}" -tA -c "SELECT string_agg(id::text, ',' ORDER BY email) FROM dept_62.agents WHERE email LIKE 'exercice%'")
  # From 200 days ahead: far from the demonstration's own appointments.
  load_args=(--port "$2" --host "pas-de-calais.localhost:$2" --token "$secret" --motif "$motif" --lieu "$lieu"
    --usager "$usager" --agents "$agents" --first "$(date -u -d "$(date -u +%Y-%m-%d) + 200 days" +%s)")
}

# How many RDVs booking-load.py was told 201 for are not in the database on this port.
missing_bookings() {  # port, load.jsonl
  python3 -c 'import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["kind"] == "api" and r["status"] == 201: print(r["id"])' "$2" > "$2.acknowledged"
  sql "$1" -d rdv -c "CREATE TEMP TABLE told (id uuid)" -c "\\copy told FROM '$2.acknowledged'" \
    -tA -c "SELECT count(*) FROM told WHERE id NOT IN (SELECT id FROM dept_62.rdvs)" | tail -1
}

# The RDV rows of the booking load (at the exercise's lieu) in the database on this port.
held_bookings() {  # port
  sql "$1" -d rdv -tA -c "SELECT count(*) FROM dept_62.rdvs r JOIN dept_62.lieux l ON l.id = r.lieu_id WHERE l.name = 'Lieu de l’exercice'"
}
