# PostgreSQL for the store tests (sourced by .ci/run; needs root). Installs Debian's postgresql, runs a cluster of its
# own ("copytrader") on loopback on a free port, creates a user and database, and exports what the tests read:
#   COPYTRADER_TEST_POSTGRES_URL       jdbc:postgresql://127.0.0.1:<port>/copytrader
#   COPYTRADER_TEST_POSTGRES_USER      copytrader
#   COPYTRADER_TEST_POSTGRES_PASSWORD  a password made up on first run, kept in the cluster's directory
# Idempotent: a second run reuses the cluster (starting it when it is down) and exports the same values.
# Sourced, so it returns rather than exits, and leaves the caller's shell options as they were.

ci_postgres_setup() {
  local version cluster=copytrader port secret_file password
  if ! command -v pg_createcluster >/dev/null 2>&1; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
  fi
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)

  if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
    # a free loopback port, chosen by the kernel
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
           2>/dev/null || echo 55432)
    pg_createcluster "$version" "$cluster" -p "$port" -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "max_connections = 200"
      echo "fsync = on"
    } >> "/etc/postgresql/$version/$cluster/postgresql.conf"
  fi
  port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { print $3 }')
  if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c && $4 == "online" { found = 1 } END { exit !found }'; then
    pg_ctlcluster "$version" "$cluster" start
  fi

  secret_file="/var/lib/postgresql/$version/$cluster/copytrader-test-password"
  if [ ! -s "$secret_file" ]; then
    password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    su postgres -c "psql -q -p $port -v ON_ERROR_STOP=1" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'copytrader') THEN
    CREATE ROLE copytrader LOGIN;
  END IF;
END \$\$;
ALTER ROLE copytrader PASSWORD '$password';
SQL
    if ! su postgres -c "psql -tA -p $port -c \"SELECT 1 FROM pg_database WHERE datname = 'copytrader'\"" | grep -q 1; then
      su postgres -c "createdb -p $port -O copytrader copytrader"
    fi
    (umask 077; printf '%s' "$password" > "$secret_file")
    chown postgres "$secret_file"
  fi

  export COPYTRADER_TEST_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$port/copytrader"
  export COPYTRADER_TEST_POSTGRES_USER=copytrader
  COPYTRADER_TEST_POSTGRES_PASSWORD=$(cat "$secret_file")
  export COPYTRADER_TEST_POSTGRES_PASSWORD
  echo "ci: PostgreSQL $version cluster '$cluster' on 127.0.0.1:$port, database copytrader"
}

ci_postgres_setup
unset -f ci_postgres_setup
