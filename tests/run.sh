#!/usr/bin/env bash
# Install everything the tests need, then run every test. The README's test command and .ci/run call this.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e ".[test,zensical]"

# The browser tests drive Debian's Chromium; a test tool must never download its own browser.
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# axe-core for the accessibility tests, at the version pinned in package-lock.json.
npm ci --no-audit --no-fund --silent

python3 -m ruff check .
set +e
python3 -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure, not a pass." >&2
  exit 1
fi
exit "$status"
