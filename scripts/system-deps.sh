#!/usr/bin/env bash
# Install the Debian packages kpireport needs (Chromium for PDF and browser tests,
# Noto CJK fonts for Chinese in charts and PDF, poppler-utils for pdftoppm, postgresql for
# the tests of database sources: they start a throwaway server with initdb/pg_ctl).
# Idempotent: does nothing when they are present. Needs root; otherwise says what it skips.
set -u
want=(chromium fonts-noto-cjk poppler-utils postgresql)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: no apt-get here; skipped ${missing[*]} (PDF output and Chinese fonts in charts need them)" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: not root; skipped ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { echo "system-deps: apt-get failed for ${missing[*]}" >&2; exit 1; }
