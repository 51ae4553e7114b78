#!/usr/bin/env bash
# Installs every Debian 12 package dgkafka needs to build, test and run its sandbox.
# Idempotent: packages already present are left alone and no index refresh is done then.
set -euo pipefail

packages=(
    build-essential cmake ccache pkg-config
    librdkafka-dev libpqxx-dev libcxxopts-dev libtoml11-dev nlohmann-json3-dev libfmt-dev
    libavro-dev libcurl4-openssl-dev python3-avro
    googletest libgtest-dev
    postgresql postgresql-contrib kcat openssl
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
