#!/usr/bin/env bash
# Browser benchmarks: the experiment view (10,000 trials, 100 curves × 10,000 steps)
# and the live path from a kernel to the Experiments panel.
#   benchmarks/ui/run.sh            full size
#   benchmarks/ui/run.sh --quick    1,000 trials, 25 × 2,000 steps: a smoke run (~1 minute)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$root/.venv/bin:$PATH"
if [[ "${1:-}" == "--quick" ]]; then
  export TRIALBOOK_BENCH_QUICK=1
  quick=--quick
else
  quick=
fi
store_dir="$(mktemp -d -t tb-bench-ui-XXXXXX)"
trap 'rm -rf "$store_dir"' EXIT
echo "generating data in $store_dir"
TRIALBOOK_STORE="$store_dir/trialbook.db" python "$here/generate.py" $quick
export TRIALBOOK_TEST_STORE_DIR="$store_dir"
# The spec resolves @playwright/test from ui-tests' node_modules.
export NODE_PATH="$root/ui-tests/node_modules"
cd "$root/ui-tests"
npx playwright test --config "$here/playwright.config.js"
