#!/bin/sh
# Installs redis-server when it is missing (Debian/Ubuntu: apt-get; macOS: Homebrew).
# The bot, its tests and `npm run demo` start their own private redis-server from it.
set -e
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "Installing redis-server with apt-get…"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
elif command -v brew >/dev/null 2>&1; then
  echo "Installing redis with Homebrew…"
  brew install redis
else
  echo "redis-server is missing. Install Redis 7 (https://redis.io/docs/install/), or set REDIS_URL to an existing Redis." >&2
  exit 1
fi
