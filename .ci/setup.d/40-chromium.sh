# Browser and alerting tests: headless Chromium (Debian's), playwright-core (npm, drives the system browser; it
# downloads no browser of its own), Prometheus's promtool (Debian's prometheus) and amtool (prometheus-alertmanager).
# Sourced by .ci/run; idempotent. Exports CHROMIUM_BIN, PLAYWRIGHT_DIR, PROMTOOL_BIN and AMTOOL_BIN for the tests.
_ct_root="$(pwd)"
_ct_pkgs=""
command -v chromium >/dev/null 2>&1 || _ct_pkgs="$_ct_pkgs chromium"
command -v promtool >/dev/null 2>&1 || _ct_pkgs="$_ct_pkgs prometheus"
command -v amtool >/dev/null 2>&1 || _ct_pkgs="$_ct_pkgs prometheus-alertmanager"
command -v node >/dev/null 2>&1 || _ct_pkgs="$_ct_pkgs nodejs"
command -v npm >/dev/null 2>&1 || _ct_pkgs="$_ct_pkgs npm"
if [ -n "$_ct_pkgs" ]; then
  apt-get update -q
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends $_ct_pkgs fonts-dejavu-core
fi
# the Debian packages may start their services where an init system runs; the tests only need the tools
for _ct_service in prometheus prometheus-alertmanager; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$_ct_service" 2>/dev/null; then
    systemctl stop "$_ct_service" || true
  fi
done
export PLAYWRIGHT_DIR="$_ct_root/.ci/node"
if [ ! -f "$PLAYWRIGHT_DIR/node_modules/playwright-core/package.json" ]; then
  mkdir -p "$PLAYWRIGHT_DIR"
  (cd "$PLAYWRIGHT_DIR" && [ -f package.json ] || echo '{"private":true}' > package.json)
  (cd "$PLAYWRIGHT_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --silent playwright-core@1.49.1)
fi
export CHROMIUM_BIN="$(command -v chromium)"
export PROMTOOL_BIN="$(command -v promtool)"
export AMTOOL_BIN="$(command -v amtool)"
unset _ct_root _ct_pkgs _ct_service
