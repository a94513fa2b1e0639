#!/bin/sh
# Installs what Trygg needs from outside Python, only when it is missing, on Debian or Ubuntu.
#   scripts/ensure-system.sh python    the venv module for python3 (Debian ships it separately)
#   scripts/ensure-system.sh browser   Chromium, ChromeDriver and axe-core, for the accessibility tests
#   scripts/ensure-system.sh proxy     nginx, for the test that runs `trygg serve` behind a TLS reverse proxy
#   scripts/ensure-system.sh tools     pg_dump and pg_restore, for `trygg backup` / `trygg restore` on PostgreSQL;
#                                      pdftoppm and pdftotext, with which the tests look at the PDFs
#   scripts/ensure-system.sh pdf       Pango and a font, which WeasyPrint needs to write the PDF reports
set -eu
cd "$(dirname "$0")/.."

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else echo "Needs root to run: $*" >&2; exit 1
    fi
}

apt_install() {
    echo "Installing Debian packages: $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

python_bin=${PYTHON:-python3}

case "${1:-}" in
python)
    if ! "$python_bin" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        version=$("$python_bin" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        apt_install "python${version}-venv"
    fi
    ;;
browser)
    missing=""
    command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
    command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
    [ -z "$missing" ] || apt_install $missing
    if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/axe-core/axe.min.js ]; then
        npm ci --no-audit --no-fund --loglevel=error
        touch node_modules/axe-core/axe.min.js
    fi
    ;;
proxy)
    # The test starts its own nginx with its own configuration (/usr/sbin may be missing from a user's PATH), and
    # makes its self-signed certificate with openssl.
    missing=""
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
    command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
    [ -z "$missing" ] || apt_install $missing
    ;;
tools)
    # trygg backup / restore of a PostgreSQL database, and their test
    command -v pg_dump >/dev/null 2>&1 && command -v pg_restore >/dev/null 2>&1 || apt_install postgresql-client
    command -v pdftoppm >/dev/null 2>&1 || apt_install poppler-utils
    ;;
pdf)
    PATH="$PATH:/sbin:/usr/sbin"
    missing=""
    ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || missing="$missing libpango-1.0-0"
    ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || missing="$missing libpangoft2-1.0-0"
    [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$missing fonts-dejavu-core"
    [ -z "$missing" ] || apt_install $missing
    ;;
*)
    echo "usage: $0 python|browser|proxy|tools|pdf" >&2; exit 2
    ;;
esac
