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

# The Nu HTML checker (vnu-jar from npm) runs on Debian's Java. It is installed before npm ci,
# so vnu-jar's install step finds it and downloads no Java of its own.
if ! command -v java >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null
fi

# axe-core, AJV and the Nu HTML checker, at the versions pinned in package-lock.json.
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
