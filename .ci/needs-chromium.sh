#!/usr/bin/env bash
# What the HTML report test (HTMLReportTests) needs: headless Chromium from Debian's packages
# and a CJK font, so that the report's Chinese renders in the screenshot. Installs what is
# missing; called by .ci/run before `swift test`, which then runs the test with
# WENSHU_REQUIRE_CHROMIUM=1 (missing Chromium fails the test instead of skipping it).
set -uo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || { echo "apt-get install ${need[*]} failed"; exit 1; }
fi
command -v chromium >/dev/null 2>&1 || { echo "chromium is not on PATH after installing"; exit 1; }
