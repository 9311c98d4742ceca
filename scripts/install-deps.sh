#!/bin/sh
# Installs the Debian packages convo needs to build and test, skipping what is present.
# Usage: scripts/install-deps.sh [build|test|sanitize]   (test also installs the tools the tests
# drive; sanitize adds clang with its sanitizer and libFuzzer runtimes for make test-asan / fuzz)
set -eu
profile=${1:-build}
pkgs="g++ cmake ninja-build pkg-config ccache make nlohmann-json3-dev libcli11-dev libyaml-cpp-dev catch2 libfmt-dev libsqlite3-dev libpq-dev libspdlog-dev
  libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev libjwt-dev libcurl4-openssl-dev
  librdkafka-dev librabbitmq-dev libarchive-dev python3"
if [ "$profile" = test ]; then
  pkgs="$pkgs bsdutils bash python3 groff-base zsh fish sqlite3 postgresql curl
    python3-jsonschema python3-jwt python3-cryptography python3-yaml openssl
    rabbitmq-server amqp-tools kcat python3-pika python3-kafka"
fi
if [ "$profile" = sanitize ]; then
  pkgs="$pkgs clang-14 libclang-rt-14-dev"
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-deps: missing packages:$missing (run as root or install them)" >&2; exit 1
  fi
else SUDO=""; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
