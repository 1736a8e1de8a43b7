#!/bin/sh
# Renders the README's pictures from the demo's HTML transcript:
#   SHOW=card (default): docs/images/run-card.png, the channel with only the first run's card and the
#     verification prompt in its thread (with its application checks);
#   SHOW=readiness: docs/images/readiness.png, the channel with only the /failback readiness answer.
# Not run by CI. Needs redis-server, chromium and pngquant, e.g. on Debian:
#   apt-get install -y chromium fonts-noto-color-emoji pngquant
# Builds the sandbox (packages/*/dist, as `npm run demo` does) and runs the demo in a temporary
# directory, so demo-out/ in the checkout is not touched; only the image is written.
#   [SHOW=readiness] sh scripts/render-card-image.sh [OUTPUT.png]
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHOW=${SHOW:-card}
case "$SHOW" in
card) OUT=${1:-"$ROOT/docs/images/run-card.png"} ;;
readiness) OUT=${1:-"$ROOT/docs/images/readiness.png"} ;;
*) echo "render-card-image: SHOW is card or readiness" >&2; exit 2 ;;
esac
# Viewport: wide enough for the card's fields side by side, tall enough for the card and the prompt.
WIDTH=${WIDTH:-1000}
HEIGHT=${HEIGHT:-800}
CHROMIUM=${CHROMIUM:-chromium}

for tool in "$CHROMIUM" pngquant node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "render-card-image: $tool is not installed" >&2; exit 2; }
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# 1. Build the sandbox (tsc reports type errors but still emits; whether the demo runs is what counts).
DEMO="$ROOT/packages/sandbox/dist/packages/sandbox/src/demo.js"
(cd "$ROOT" && npm run build:sandbox --silent) || true
[ -f "$DEMO" ] || { echo "render-card-image: the build produced no $DEMO" >&2; exit 1; }

# 2. Play the demo with the temporary directory as cwd: it writes demo-out/transcript.html there.
(cd "$WORK" && node "$DEMO" >demo.log 2>&1) || {
  cat "$WORK/demo.log" >&2
  exit 1
}

# 3. card: keep the channel header, the run cards (top-level messages with a header block and a thread)
#    and the first reply in each thread (the verification prompt); the viewport shows the first.
#    readiness: keep only the top-level message with a header block and no thread (the readiness answer).
#    Hide the rest. The transcript's CSP allows inline styles.
if [ "$SHOW" = card ]; then
  STYLE='.log>:not(.msg:has(.b-header):has(+.thread)):not(.msg:has(.b-header)+.thread),.thread-count,.thread>.msg~.msg{display:none}'
else
  STYLE='.log>:not(.msg:has(.b-header):not(:has(+.thread))){display:none}'
fi
sed "s#</head>#<style>$STYLE</style></head>#" "$WORK/demo-out/transcript.html" >"$WORK/card.html"

# 4. Screenshot, then quantise the palette to keep the file small.
"$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$WIDTH,$HEIGHT" \
  --screenshot="$WORK/card.png" "file://$WORK/card.html" >"$WORK/chromium.log" 2>&1 || {
  cat "$WORK/chromium.log" >&2
  exit 1
}
mkdir -p "$(dirname "$OUT")"
pngquant --force --quality=70-95 --output "$OUT" "$WORK/card.png"
echo "render-card-image: wrote $OUT ($(wc -c <"$OUT") bytes)"
