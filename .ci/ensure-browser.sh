#!/usr/bin/env bash
# The dashboard test drives Debian's Chromium through playwright-core (never a downloaded
# browser); a CJK font keeps the Chinese screenshots readable. Installs them only when missing.
# Run by `npm test` (pretest) and by .ci/run; harmless when both are present.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if command -v dpkg >/dev/null && ! dpkg -s fonts-wqy-zenhei >/dev/null 2>&1; then need+=(fonts-wqy-zenhei); fi
[ "${#need[@]}" -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
echo "installing ${need[*]} from Debian (for the dashboard's browser test)"
if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >/dev/null 2>&1; then
  echo "could not install ${need[*]}: test/e2e/dashboard.test.ts needs /usr/bin/chromium (apt-get install -y chromium)"
fi
exit 0
