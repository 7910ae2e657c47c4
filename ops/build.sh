#!/usr/bin/env bash
# Configures (when needed) and builds the project with CMake and Ninja.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/build.sh [--werror|--no-werror] [--release|--debug] [--sanitize|--no-sanitize]
                   [--fuzz|--no-fuzz] [NINJA TARGET...]

Builds into build/ of the checkout (or $CONSULAR_BUILD_DIR) with Ninja, then the web client into
web/dist (ops/build-web.sh) unless targets are named.
  --werror       treat compiler warnings as errors (kept for later builds until --no-werror)
  --release      optimised build (kept for later builds until --debug); the default is Debug
  --sanitize     instrument everything with AddressSanitizer and UndefinedBehaviorSanitizer
                 (CMake option CONSULAR_SANITIZE; kept until --no-sanitize)
  --fuzz         also build the libFuzzer targets of tests/fuzz, everything instrumented as for
                 --sanitize (CONSULAR_FUZZ; needs clang: CC=clang CXX=clang++; kept until --no-fuzz)
Environment: JOBS (parallel jobs, default 2), CONSULAR_BUILD_DIR (build folder),
CONSULAR_SANITIZE=1 (as --sanitize), CC and CXX (the compilers, read when a build folder is
configured for the first time; clang also checks the thread-safety annotations).
ccache is used when installed; build folders of one checkout share its cache.
USAGE
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${CONSULAR_BUILD_DIR:-$ROOT/build}
JOBS=${JOBS:-2}

werror=""
build_type=""
sanitize=""
fuzz=""
if [[ ${CONSULAR_SANITIZE:-0} == 1 ]]; then sanitize=ON; fi
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --werror) werror=ON ;;
    --no-werror) werror=OFF ;;
    --release) build_type=Release ;;
    --debug) build_type=Debug ;;
    --sanitize) sanitize=ON ;;
    --no-sanitize) sanitize=OFF ;;
    --fuzz) fuzz=ON ;;
    --no-fuzz) fuzz=OFF ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done

# Separate build folders (build/, build-release/, a sanitizer build, ...) share one ccache: paths
# are made relative to the checkout, and the build folder is left out of the hash.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$ROOT}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}

for tool in cmake ninja; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found; run ops/install-deps.sh" >&2; exit 1; }
done

cache_value() {  # NAME: its value in the CMake cache, empty if unset
  sed -n "s/^$1:[A-Z]*=//p" "$BUILD_DIR/CMakeCache.txt" 2>/dev/null | head -n 1
}

# Configure when the build folder is new or when a flag asks for another setting than the cached one.
configure_args=()
if [[ ! -f $BUILD_DIR/build.ninja || ! -f $BUILD_DIR/CMakeCache.txt ]]; then
  configure_args+=(-DCMAKE_BUILD_TYPE="${build_type:-Debug}" -DCONSULAR_WERROR="${werror:-OFF}"
                   -DCONSULAR_SANITIZE="${sanitize:-OFF}" -DCONSULAR_FUZZ="${fuzz:-OFF}")
  if command -v ccache >/dev/null; then
    configure_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
else
  if [[ -n $build_type && $(cache_value CMAKE_BUILD_TYPE) != "$build_type" ]]; then
    configure_args+=(-DCMAKE_BUILD_TYPE="$build_type")
  fi
  if [[ -n $werror && $(cache_value CONSULAR_WERROR) != "$werror" ]]; then
    configure_args+=(-DCONSULAR_WERROR="$werror")
  fi
  if [[ -n $sanitize && $(cache_value CONSULAR_SANITIZE) != "$sanitize" ]]; then
    configure_args+=(-DCONSULAR_SANITIZE="$sanitize")
  fi
  if [[ -n $fuzz && $(cache_value CONSULAR_FUZZ) != "$fuzz" ]]; then
    configure_args+=(-DCONSULAR_FUZZ="$fuzz")
  fi
fi

if [[ ${#configure_args[@]} -gt 0 ]]; then
  echo "+ cmake -S $ROOT -B $BUILD_DIR -G Ninja ${configure_args[*]}"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja "${configure_args[@]}"
fi

echo "+ ninja -C $BUILD_DIR -j $JOBS ${targets[*]}"
ninja -C "$BUILD_DIR" -j "$JOBS" "${targets[@]}"

# The web client, which consular-web serves (not for a build of named targets only).
if [[ ${#targets[@]} -eq 0 ]]; then
  "$ROOT/ops/build-web.sh"
fi
