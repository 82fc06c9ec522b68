#!/usr/bin/env bash
# Prepares target/gpu-pack/ (and target/gpu-pack.tar.gz) for tools/gpu-check.sh on a GPU machine
# that has no JDK and no internet: a jlinked Java 25 runtime, the engine and its few runtime jars,
# the compiled tests with the fixtures, the JUnit console launcher, and gpu-check.sh itself.
# Runs here (needs JDK 25 and Maven); keeps the folder under 64 MiB.
#
# Temurin 25 ships no jmods: the runtime is linked from the running JDK's own image
# ("Linking from run-time image enabled" in `jlink --help`), which jlink supports since JDK 24.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
export PATH="$JAVA_HOME/bin:$PATH"
out=target/gpu-pack
m2="${MAVEN_REPO:-$HOME/.m2/repository}"
JUNIT_CONSOLE=1.11.4   # JUnit Platform matching junit-jupiter 5.11.4
JCUDA="$(sed -n 's:.*<jcuda.version>\(.*\)</jcuda.version>.*:\1:p' pom.xml)"
JACKSON="$(sed -n 's:.*<jackson.version>\(.*\)</jackson.version>.*:\1:p' pom.xml)"

echo "gpu-pack: building the engine and its tests" >&2
mvn -B -q -ntp -pl engine-cuda -am install -DskipTests
mvn -B -q -ntp -pl engine,engine-cuda test-compile
mvn -B -q -ntp dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_CONSOLE >/dev/null

rm -rf "$out" "$out.tar.gz"
mkdir -p "$out/lib"
echo "gpu-pack: linking a Java runtime" >&2
# java.base + logging + the Vector API + Unsafe (Jackson, JCuda) + zipfs (JUnit scans jars) + management (KvBudget reads free memory); no java.xml, so the JUnit run writes no XML reports.
jlink --add-modules java.base,java.logging,jdk.incubator.vector,jdk.unsupported,jdk.zipfs,java.management,jdk.management \
  --strip-java-debug-attributes --no-header-files --no-man-pages --compress zip-9 --output "$out/runtime" 2>&1 \
  | grep -v 'Using incubator modules' >&2 || true
strip --strip-unneeded "$out/runtime/lib/server/libjvm.so" 2>/dev/null || true   # symbols only; -25% size

cp engine/target/longform-engine-*.jar engine-cuda/target/longform-engine-cuda-*.jar "$out/lib/"
rm -f "$out"/lib/*-tests.jar
for a in jackson-databind jackson-core jackson-annotations; do
  cp "$m2/com/fasterxml/jackson/core/$a/$JACKSON/$a-$JACKSON.jar" "$out/lib/"
done
cp "$m2/org/jcuda/jcuda/$JCUDA/jcuda-$JCUDA.jar" "$out/lib/"
# JCuda's natives jar carries runtime, NVRTC and nvPTXCompiler wrappers (24 MB); the driver API is all we use.
natives="$m2/org/jcuda/jcuda-natives/$JCUDA/jcuda-natives-$JCUDA-linux-x86_64.jar"
tmp="$(mktemp -d)"
(cd "$tmp" && jar xf "$natives" "lib/libJCudaDriver-$JCUDA-linux-x86_64.so" && jar cf jcuda-natives-driver.jar lib)
cp "$tmp/jcuda-natives-driver.jar" "$out/lib/"
rm -rf "$tmp"
cp "$m2/org/junit/platform/junit-platform-console-standalone/$JUNIT_CONSOLE/junit-platform-console-standalone-$JUNIT_CONSOLE.jar" "$out/"
cp -r engine/target/test-classes "$out/test-classes"
cp -r engine-cuda/target/test-classes/org "$out/test-classes/"   # the GPU tests; the fixtures came with the engine's
cp tools/gpu-check.sh "$out/"
git rev-parse --short HEAD > "$out/COMMIT" 2>/dev/null || true

size=$(du -sb "$out" | cut -f1)
limit=$((64 * 1024 * 1024))
tar czf "$out.tar.gz" -C target gpu-pack
echo "gpu-pack: $out is $((size / 1048576)) MiB ($(du -h "$out.tar.gz" | cut -f1) as $out.tar.gz)" >&2
if [ "$size" -gt "$limit" ]; then echo "gpu-pack: over 64 MiB" >&2; exit 1; fi
# --slim: .devpack/pack.tar.xz without the fixtures (tools/gpu-device-run.sh takes them from the tree),
# for the device tool, whose copy of the repo plus carried files must stay under 64 MiB.
if [ "${1:-}" = "--slim" ]; then
  mkdir -p .devpack
  tar cf - -C target --exclude='gpu-pack/test-classes/fixtures' gpu-pack | xz -6 -T2 > .devpack/pack.tar.xz
  echo "gpu-pack: .devpack/pack.tar.xz is $(du -h .devpack/pack.tar.xz | cut -f1)" >&2
fi
