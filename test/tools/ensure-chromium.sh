#!/usr/bin/env bash
# The console's browser tests drive Debian's Chromium (and need CJK fonts to render Chinese).
# Installs both when missing and we may (root with apt-get); otherwise says how.
set -u
have_chromium() { [ -x /usr/bin/chromium ]; }
have_fonts() { fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; }
if have_chromium && have_fonts; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[ensure-chromium] installing chromium and fonts-noto-cjk (browser tests)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >&2 && exit 0
fi
have_chromium && exit 0
echo "[ensure-chromium] /usr/bin/chromium is missing: install it (apt-get install -y chromium fonts-noto-cjk)" >&2
exit 1
