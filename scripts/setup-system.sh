#!/usr/bin/env bash
# Installs the Debian packages importer's demo and tests need, when they are missing.
# Idempotent: does nothing (and needs no root) when everything is already there.
set -euo pipefail
wanted=(tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus fonts-freefont-ttf fonts-dejavu-core
        mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml chromium)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "setup: installing Debian packages: ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: Debian packages installed"
