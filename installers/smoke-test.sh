#!/usr/bin/env bash
# Smoke-tests a built Longform: the CLI and the GUI run from the packaged copy, not from the source tree.
#   installers/smoke-test.sh [TARGET] [SCREENSHOT.png]
# TARGET: a .deb (unpacked with dpkg -x into a scratch root, no root needed), an installed app
# folder (/opt/longform) or an app image (installers/target/Longform, the default).
# The GUI check needs Xvfb and ImageMagick's `import` (apt-get install xvfb imagemagick); it is
# skipped with a message when they are missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$root/installers/target/Longform}"
shot="${2:-$root/installers/target/screenshot.png}"
scratch="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$scratch"; }
trap cleanup EXIT

case "$target" in
  *.deb) dpkg -x "$target" "$scratch/root"; app="$scratch/root/opt/longform" ;;
  *) app="$target" ;;
esac
launcher="$app/bin/Longform"
[ -x "$launcher" ] || { echo "smoke-test: no launcher at $launcher" >&2; exit 1; }
cd "$scratch"   # nowhere near the source tree: assets must come from the app folder
export HOME="$scratch/home" && mkdir -p "$HOME"   # and nothing from the tester's own settings
export JAVA_TOOL_OPTIONS="-Duser.home=$HOME"        # Java reads user.home from the user database, not $HOME

echo "== $launcher --version"
"$launcher" --version
echo "== continue with the embedded demo model"
out="$("$launcher" continue --prompt "The lighthouse keeper climbed the stairs" --max-tokens 20 --seed 1 2>"$scratch/err")" \
  || { cat "$scratch/err" >&2; exit 1; }
echo "$out"
[ -n "$(echo "$out" | tr -d '[:space:]')" ] || { echo "smoke-test: continue printed nothing" >&2; exit 1; }
echo "== doctor"
"$launcher" doctor 2>/dev/null | sed -n '1,16p'

if command -v Xvfb >/dev/null && command -v import >/dev/null; then
  echo "== GUI under Xvfb"
  disp=":$(( 90 + RANDOM % 9 ))"
  Xvfb "$disp" -screen 0 1024x640x24 -nolisten tcp >/dev/null 2>&1 & pids+=($!)
  sleep 2
  DISPLAY="$disp" "$launcher" >"$scratch/gui.log" 2>&1 & gui=$!; pids+=($gui)
  up=""
  for _ in $(seq 1 60); do
    # a stage of the app's own window class: JavaFX maps a 10x10 owner window called "Longform"
    # seconds before the editor's first frame, and a screenshot then is black
    DISPLAY="$disp" xwininfo -root -tree 2>/dev/null | grep -q 'Longform": ("org.longform.ui.App"' && { up=1; break; }
    kill -0 "$gui" 2>/dev/null || { cat "$scratch/gui.log" >&2; echo "smoke-test: the GUI exited" >&2; exit 1; }
    sleep 1
  done
  [ -n "$up" ] || { cat "$scratch/gui.log" >&2; echo "smoke-test: no Longform window after 60 s" >&2; exit 1; }
  sleep 3   # let the first frame render
  DISPLAY="$disp" import -window root "$shot"
  kill -0 "$gui" || { echo "smoke-test: the GUI died" >&2; exit 1; }
  echo "GUI window up; screenshot: $shot"
else
  echo "== GUI check skipped (needs Xvfb and ImageMagick's import)"
fi
echo "smoke-test: OK"
