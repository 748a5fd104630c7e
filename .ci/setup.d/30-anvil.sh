# anvil, a local EVM node, for the chain-detection tests (npm @foundry-rs/anvil 1.7.1; its Linux binary ships in
# @foundry-rs/anvil-linux-amd64). Installed into ./node_modules (git-ignored), where the tests look for it; the test
# emitter contract's bytecode is committed, so no compiler is needed. Sourced by .ci/run; idempotent.
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -q && apt-get install -y -q nodejs npm
fi
if [ ! -x node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil ] && [ ! -x node_modules/.bin/anvil ]; then
  npm install --no-save --no-audit --no-fund @foundry-rs/anvil@1.7.1
fi
ANVIL_BIN="$(pwd)/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
[ -x "$ANVIL_BIN" ] || ANVIL_BIN="$(pwd)/node_modules/.bin/anvil"
export ANVIL_BIN
"$ANVIL_BIN" --version | head -1
