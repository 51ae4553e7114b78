#!/usr/bin/env bash
# Installs every Debian 12 package dgkafka needs to build, test and run its sandbox.
# Idempotent: packages already present are left alone and no index refresh is done then.
set -euo pipefail

packages=(
    build-essential cmake ccache pkg-config clang-format
    librdkafka-dev libpqxx-dev libcxxopts-dev libtoml11-dev nlohmann-json3-dev libfmt-dev libspdlog-dev
    libcpp-httplib-dev libsystemd-dev prometheus dpkg-dev
    libavro-dev libcurl4-openssl-dev python3-avro python3-confluent-kafka python3-kafka
    libprotobuf-dev libprotoc-dev protobuf-compiler python3-protobuf
    googletest libgtest-dev
    postgresql postgresql-contrib postgresql-15-hll kcat openssl locales
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# A translated locale: the tests check that nothing depends on the server's messages being English.
locale -a 2>/dev/null | grep -qix 'de_DE.utf8' || $sudo localedef -i de_DE -f UTF-8 de_DE.UTF-8
