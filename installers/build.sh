#!/usr/bin/env bash
# Builds Longform's installers with jpackage into installers/target/:
#   Linux: a portable app-image (tar.gz), .deb (needs fakeroot, dpkg-deb) and .rpm (needs rpmbuild)
#   macOS: app-image and .dmg;  Windows (Git Bash): app-image and .msi (needs WiX on PATH)
# The runtime is jlinked from the running JDK's own image (JDK 25 has no jmods: JEP 493) plus the
# JavaFX modular jars, with jdk.incubator.vector; the app jars stay on the class path (jlink
# refuses automatic modules). The demo model, tokenizer and icons ship in the app folder, found
# through -Dlongform.home=$APPDIR.
#
# usage: installers/build.sh [--no-build] [TYPE...]   (TYPE: app-image deb rpm dmg pkg msi exe)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
jbin="${JAVA_HOME:+$JAVA_HOME/bin/}"
say() { echo "build.sh: $*" >&2; }
# the JDK tools print the incubator-module warning for every run: drop it, keep everything else
quiet() { "$@" 2>&1 | { grep -v 'Using incubator modules' >&2 || true; }; }
die() { say "$*"; exit 1; }
"${jbin}jlink" --help 2>/dev/null | grep -q "Linking from run-time image enabled" || [ -d "${JAVA_HOME:-/nonexistent}/jmods" ] \
  || die "this JDK can neither link from its run-time image nor has jmods/; use Temurin 25 (JAVA_HOME)"

build=1
types=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) types+=("$a") ;;
  esac
done

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=mac ;;
  MINGW*|MSYS*|CYGWIN*) os=windows ;;
  *) die "unsupported OS $(uname -s)" ;;
esac
if [ ${#types[@]} -eq 0 ]; then
  case "$os" in
    linux) types=(app-image deb rpm) ;;
    mac) types=(app-image dmg) ;;
    windows) types=(app-image msi) ;;
  esac
fi

# numeric version for the packages: 0.1.0-SNAPSHOT -> 0.1.0
version="$(sed -n 's:.*<version>\([0-9][0-9.]*\).*</version>.*:\1:p' pom.xml | head -1)"
[ -n "$version" ] || die "no version found in pom.xml"

if [ "$build" = 1 ]; then
  say "building the jars (mvn install, tests skipped)"
  mvn -B -q -DskipTests -Dspotless.check.skip=true install >&2 || die "maven build failed"
fi
lib="$root/ui/target/lib"
[ -f "$root/ui/target/longform-ui.jar" ] || die "ui/target/longform-ui.jar missing: run without --no-build"

out="$root/installers/target"
rm -rf "$out"   # jpackage refuses to overwrite an existing image
mkdir -p "$out"
work="$out/work"
input="$work/input"
mkdir -p "$input/lib"

# --- app payload: jars (JavaFX goes into the runtime instead) and assets -------------------------
cp "$root/ui/target/longform-ui.jar" "$input/"
for j in "$lib"/*.jar; do
  case "$(basename "$j")" in javafx-*) ;; *) cp "$j" "$input/lib/" ;; esac
done
mkdir -p "$input/assets"
cp -r "$root/assets/models" "$root/assets/tokenizer" "$root/assets/icons" "$root/assets/stories" "$input/assets/"
[ -d "$root/assets/presets" ] && cp -r "$root/assets/presets" "$input/assets/"

# --- runtime: JDK modules from this JDK's image + JavaFX modules for this OS ----------------------
case "$os" in
  linux) fxclass=linux; natives='so'; natdir=lib ;;
  mac) fxclass='mac*'; natives='dylib'; natdir=lib ;;
  windows) fxclass=win; natives='dll'; natdir=bin ;;
esac
# Windows' JDK tools want C:\... paths and ';' lists; Git Bash's automatic conversion does not cover lists
native() { if [ "$os" = windows ] && command -v cygpath >/dev/null; then cygpath -w "$1"; else echo "$1"; fi; }
fxjars=()
for j in "$lib"/javafx-*-$fxclass.jar; do [ -f "$j" ] && fxjars+=("$j"); done
[ ${#fxjars[@]} -gt 0 ] || die "no JavaFX jars for $os in $lib"
sep=':'; [ "$os" = windows ] && sep=';'
fxpath=""
for j in "${fxjars[@]}"; do fxpath="${fxpath:+$fxpath$sep}$(native "$j")"; done
# JDK modules the app and its libraries use (DJL, Jackson, JNA, picocli, RichTextFX), checked with jdeps
jdkmods=java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.prefs,java.scripting,java.sql,java.xml,jdk.charsets,jdk.crypto.ec,jdk.incubator.vector,jdk.jfr,jdk.management,jdk.net,jdk.unsupported,jdk.zipfs
say "jlinking the runtime (JDK $("${jbin}java" -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/') + JavaFX $(basename "${fxjars[0]}" | sed 's/javafx-[a-z]*-\([0-9.]*\)-.*/\1/'))"
quiet "${jbin}jlink" --module-path "$fxpath" --add-modules "$jdkmods,javafx.base,javafx.graphics,javafx.controls" \
  --strip-debug --no-header-files --no-man-pages --compress zip-6 --output "$work/runtime"
# JavaFX would otherwise unpack its native libraries into ~/.openjfx/cache on first start
for j in "${fxjars[@]}"; do
  names="$("${jbin}jar" tf "$j" | grep -E "^[^/]+\.$natives\$" || true)"
  [ -z "$names" ] || (cd "$work/runtime/$natdir" && "${jbin}jar" xf "$j" $names)
done

# --- jpackage ------------------------------------------------------------------------------------
meta=(
  --name Longform
  --app-version "$version"
  --vendor "Longform"
  --copyright "Copyright (c) Longform contributors"
  --description "Desktop story writer: MPT-7B-StoryWriter keeps a whole novel in view"
)
app=(
  --input "$input"
  --main-jar longform-ui.jar
  --main-class org.longform.Launcher
  --runtime-image "$work/runtime"
  --java-options "--add-modules jdk.incubator.vector,javafx.controls"
  --java-options "--enable-native-access=ALL-UNNAMED,javafx.graphics"
  --java-options "-XX:+UseParallelGC -XX:MaxRAMPercentage=75 -Xss4m"
  --java-options '-Dlongform.home=$APPDIR'
)
pkg=()
case "$os" in
  linux)
    app+=(--icon "$root/assets/icons/longform-256.png")
    # jpackage's resource dir: our desktop entry and maintainer scripts, the icon from assets/
    res="$work/linux-resources"
    mkdir -p "$res"
    cp "$root/installers/linux/resources/"* "$res/"
    cp "$root/assets/icons/longform-256.png" "$res/Longform.png"
    pkg=(--linux-package-name longform --linux-app-release 1 --linux-menu-group "Office;WordProcessor;"
         --linux-app-category editors --linux-shortcut --linux-deb-maintainer "longform@users.noreply.github.com"
         --file-associations "$root/installers/linux/longform-file.properties" --resource-dir "$res") ;;
  mac)
    app+=(--icon "$root/assets/icons/longform.icns" --mac-package-identifier org.longform.app --mac-package-name Longform
          --mac-app-category public.app-category.productivity)
    pkg=(--file-associations "$root/installers/macos/longform-file.properties") ;;
  windows)
    app+=(--icon "$root/assets/icons/longform.ico" --add-launcher "longform-cli=$(native "$root/installers/windows/longform-cli.properties")")
    pkg=(--win-menu --win-menu-group Longform --win-shortcut --win-shortcut-prompt --win-dir-chooser
         --win-upgrade-uuid 6c1a6d2e-2b1f-4f0e-9a57-4f6f0b1d2c3a
         --file-associations "$root/installers/windows/longform-file.properties") ;;
esac

can() {   # can TYPE: are this OS's tools for TYPE there? says why not
  case "$1" in
    app-image) return 0 ;;
    deb) { command -v dpkg-deb && command -v fakeroot; } >/dev/null || { say "skipping deb: needs dpkg-deb and fakeroot (apt-get install fakeroot)"; return 1; } ;;
    rpm) command -v rpmbuild >/dev/null || { say "skipping rpm: needs rpmbuild (apt-get install rpm)"; return 1; } ;;
    msi|exe) { command -v candle || command -v wix; } >/dev/null || { say "skipping $1: needs WiX on PATH"; return 1; } ;;
  esac
}

built=()
# the app image first: the portable build, and on Linux the payload of the .deb and .rpm
say "jpackage --type app-image"
quiet "${jbin}jpackage" --type app-image --dest "$out" "${meta[@]}" "${app[@]}"
image="$(ls -d "$out"/Longform* | head -1)"
if [ "$os" = linux ]; then
  portable="$out/longform-$version-linux-$(uname -m)-portable.tar.gz"
  tar -C "$out" -czf "$portable" Longform
  built+=("$image  (app-image: run Longform/bin/Longform)" "$portable")
else
  built+=("$image  (app-image)")
fi
for t in "${types[@]}"; do
  [ "$t" = app-image ] && continue
  can "$t" || continue
  say "jpackage --type $t"
  if [ "$os" = linux ]; then
    # gzip: the runtime inside is compressed already, and xz would take minutes for nothing
    # JavaFX loads GTK with dlopen, so jpackage's library scan finds it only where GTK happens to be
    # installed: a .deb built on a headless box had no GTK dependency and its GUI did not start
    case "$t" in deb) deps=(--linux-package-deps libgtk-3-0) ;; rpm) deps=(--linux-package-deps gtk3) ;; *) deps=() ;; esac
    DPKG_DEB_COMPRESSOR_TYPE="${DPKG_DEB_COMPRESSOR_TYPE:-gzip}" \
      quiet "${jbin}jpackage" --type "$t" --dest "$out" --app-image "$image" "${meta[@]}" "${pkg[@]}" "${deps[@]}"
  else
    # macOS and Windows bake file associations and launchers into the bundle: package from the input
    quiet "${jbin}jpackage" --type "$t" --dest "$out" "${meta[@]}" "${app[@]}" "${pkg[@]}"
  fi
  built+=("$(ls -t "$out"/*."$t" | head -1)")
done
rm -rf "$work"
say "done:"
for b in "${built[@]}"; do echo "  $b"; done
