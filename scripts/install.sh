#!/usr/bin/env bash
# Install everything Vigie needs to build and to run its local service stack
# (see scripts/stack.sh): Debian packages, Elasticsearch, FerretDB, a
# Python virtualenv for the integration tests, and Chromium with the npm
# packages of the browser tests.
#
# Idempotent: every component is checked first and only what is missing is
# installed. A second run downloads nothing and finishes in about a second.
#
# Everything that is not a Debian package lives in the git-ignored .cache/
# (downloads, unpacked Elasticsearch, Go build cache, FerretDB binary) and
# .venv/ of the repository, so the script works from any cwd.
#
# Usage: scripts/install.sh            (VIGIE_INSTALL_VERBOSE=1 for more output)
#        scripts/install.sh apt venv delivery   (only those components)
#
# stack.sh sources this file for the pinned versions, the paths and the Java
# helpers below; the installation itself only runs when executed directly.
set -euo pipefail

VIGIE_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VIGIE_CACHE_DIR="$VIGIE_REPO_ROOT/.cache"
VIGIE_DOWNLOAD_DIR="$VIGIE_CACHE_DIR/downloads"
VIGIE_BIN_DIR="$VIGIE_CACHE_DIR/bin"
VIGIE_VENV_DIR="$VIGIE_REPO_ROOT/.venv"

# Elasticsearch: the "integ-test-zip" distribution from Maven Central (the
# full distribution is not published there). It has no bundled JDK, so it runs
# on the machine's OpenJDK 17, and it is minimal: server + transport-netty4 +
# apm + x-pack-core + x-pack-security, none of the other modules (no reindex /
# _delete_by_query, painless, analysis-common, ingest-common, ILM, GET /).
# 8.19.21 is the newest 8.x on Maven Central and starts on OpenJDK 17 (9.x
# needs Java 21). The SHA-512 is pinned here and also checked against the
# .sha512 published next to the zip.
ES_VERSION="8.19.21"
ES_SHA512="cf6b0a93860d329937ae7f913ec5073b0c726c77639764b93fc83a304aa1dd9d4defcfa2849948eea3b0b47c2065f994908603939fc2a4774c9c4d868c5ec1dd"
ES_URL="https://repo1.maven.org/maven2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/${ES_VERSION}/elasticsearch-${ES_VERSION}.zip"
ES_HOME="$VIGIE_CACHE_DIR/elasticsearch-${ES_VERSION}"

# FerretDB 1.x (SQLite backend is compiled in by default; the build tag
# ferretdb_no_sqlite would remove it, so no tags are needed).
FERRETDB_VERSION="1.24.2"
FERRETDB_MODULE="github.com/FerretDB/FerretDB"
FERRETDB_BIN="$VIGIE_BIN_DIR/ferretdb"

# Go toolchain state stays under .cache/go so that rebuilds are cached too.
VIGIE_GOPATH="$VIGIE_CACHE_DIR/go"

APT_PACKAGES=(
  kore libmongoc-dev libbson-dev libhiredis-dev libcurl4-openssl-dev
  libjansson-dev libjwt-dev libcmocka-dev libhpdf-dev libargon2-dev libssl-dev zlib1g-dev
  pkg-config wrk redis-server clang-format curl unzip ca-certificates
  python3-venv clang libclang-rt-14-dev
  poppler-utils qpdf
  cppcheck clang-tidy bear shellcheck
)
JAVA_MIN_MAJOR=17
JAVA_APT_PACKAGE="openjdk-17-jre-headless"
GO_APT_PACKAGE="golang"
PYTHON_PACKAGES=(pytest requests)

# ---------------------------------------------------------------- messages --

log() { printf 'install: %s\n' "$*"; }
debug() { if [[ "${VIGIE_INSTALL_VERBOSE:-0}" == 1 ]]; then log "$@"; fi; }
die() {
  printf 'install: ERROR: %s\n' "$*" >&2
  exit 1
}

# Run a step and report how long it took: step <label> <function> [args...]
step() {
  local label="$1" start=$SECONDS
  shift
  log "$label ..."
  "$@"
  log "$label done in $((SECONDS - start)) s"
}

# Run a noisy command; show its output only if it fails.
quietly() {
  local out rc=0
  out="$(mktemp)"
  "$@" >"$out" 2>&1 || rc=$?
  if ((rc != 0)); then
    cat "$out" >&2
    rm -f "$out"
    die "failed (exit $rc): $*"
  fi
  rm -f "$out"
}

# ------------------------------------------------------------ java helpers --

# Major version of a java binary (17 for "17.0.15", 8 for "1.8.0_392").
java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ {
    split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

# Print the path of a java binary >= JAVA_MIN_MAJOR: the one on PATH if it is
# recent enough, else a Debian one under /usr/lib/jvm. Returns 1 if none.
find_java() {
  local candidate major
  for candidate in "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [[ -n "$candidate" && -x "$candidate" ]] || continue
    major="$(java_major "$candidate")"
    if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= JAVA_MIN_MAJOR)); then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# JAVA_HOME matching find_java (Elasticsearch wants ES_JAVA_HOME).
find_java_home() {
  local java
  java="$(find_java)" || return 1
  java="$(readlink -f "$java")"
  dirname "$(dirname "$java")"
}

# The go binary: PATH first, then the usual tarball location.
find_go() {
  if command -v go >/dev/null 2>&1; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    printf '%s\n' /usr/local/go/bin/go
  else
    return 1
  fi
}

# ---------------------------------------------------------- Debian packages --

apt_is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# Debian packages that are not installed yet, one per line.
missing_apt_packages() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    apt_is_installed "$pkg" || printf '%s\n' "$pkg"
  done
  if ! find_java >/dev/null; then
    apt_is_installed "$JAVA_APT_PACKAGE" || printf '%s\n' "$JAVA_APT_PACKAGE"
  fi
  if ! find_go >/dev/null; then
    apt_is_installed "$GO_APT_PACKAGE" || printf '%s\n' "$GO_APT_PACKAGE"
  fi
}

# "sudo" when we are not root (and it exists), nothing otherwise.
as_root() {
  if [[ "$(id -u)" == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

install_apt_packages() {
  local -a missing
  mapfile -t missing < <(missing_apt_packages)
  if ((${#missing[@]} == 0)); then
    debug "Debian packages: all present"
    return 0
  fi
  log "Debian packages missing: ${missing[*]}"
  quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}"
}

# ------------------------------------------------------------- downloads --

# download_verified <url> <dest> <expected sha512>: download once into the
# cache, check the SHA-512 against the pinned value and against the .sha512
# file published next to the artifact.
download_verified() {
  local url="$1" dest="$2" pinned="$3" published actual
  mkdir -p "$(dirname "$dest")"
  if [[ ! -f "$dest" ]]; then
    log "downloading $url"
    curl -fsSL --retry 3 --retry-delay 2 -o "$dest.part" "$url"
    mv "$dest.part" "$dest"
  fi
  published="$(curl -fsSL --retry 3 "$url.sha512" | awk '{print $1}')"
  actual="$(sha512sum "$dest" | awk '{print $1}')"
  if [[ "$actual" == "$published" && "$actual" == "$pinned" ]]; then
    debug "checksum ok: $dest"
    return 0
  fi
  rm -f "$dest"
  die "checksum mismatch for $dest (got $actual, published $published, pinned $pinned)"
}

# ---------------------------------------------------------- Elasticsearch --

es_is_installed() {
  [[ -f "$ES_HOME/.vigie-installed" && -x "$ES_HOME/bin/elasticsearch" ]]
}

install_elasticsearch() {
  if es_is_installed; then
    debug "Elasticsearch $ES_VERSION: present in $ES_HOME"
    return 0
  fi
  local zip="$VIGIE_DOWNLOAD_DIR/elasticsearch-${ES_VERSION}.zip" tmp
  download_verified "$ES_URL" "$zip" "$ES_SHA512"
  # Unpack next to the final place and rename, so that an interrupted run
  # never leaves a half-unpacked directory that looks installed.
  tmp="$(mktemp -d "$VIGIE_CACHE_DIR/.es-unpack.XXXXXX")"
  unzip -q "$zip" -d "$tmp"
  rm -rf "$ES_HOME"
  mv "$tmp/elasticsearch-${ES_VERSION}" "$ES_HOME"
  rmdir "$tmp"
  # Other users (stack.sh runs ES as the unprivileged vigie-es when root)
  # only need to read it.
  chmod -R a+rX "$ES_HOME"
  touch "$ES_HOME/.vigie-installed"
}

# ---------------------------------------------------------------- FerretDB --

ferretdb_is_installed() {
  [[ -x "$FERRETDB_BIN" ]] || return 1
  local out
  out="$("$FERRETDB_BIN" --version 2>/dev/null)" || return 1
  [[ "$out" == *"version: v${FERRETDB_VERSION}"* ]]
}

# Environment for every go command: all state under .cache/go. -modcacherw
# keeps the module cache deletable with a plain rm -rf .cache; -buildvcs=false
# because the sources sit inside Vigie's git tree, whose commit is not theirs.
go_env() {
  env GOPATH="$VIGIE_GOPATH" GOCACHE="$VIGIE_GOPATH/cache" \
    GOMODCACHE="$VIGIE_GOPATH/pkg/mod" GOFLAGS="-modcacherw -buildvcs=false" \
    GOTOOLCHAIN=auto CGO_ENABLED=0 "$@"
}

# Why not `go install .../cmd/ferretdb@v1.24.2`:
#  - FerretDB embeds build/version/version.txt, a generated file that is not
#    in the module, so such a binary panics at start ("Invalid
#    build/version/version.txt file content");
#  - go install pkg@version also fetches the module's @v/list for its
#    deprecation check, which the registry proxy here answers with 403.
# So: download the module by exact version, copy it, write version.txt, build.
install_ferretdb() {
  if ferretdb_is_installed; then
    debug "FerretDB $FERRETDB_VERSION: present in $FERRETDB_BIN"
    return 0
  fi
  local go src_ro src
  go="$(find_go)" || die "no go toolchain found"
  src_ro="$(go_env "$go" mod download -json "$FERRETDB_MODULE@v$FERRETDB_VERSION" |
    awk -F'"' '$2 == "Dir" {print $4}')"
  [[ -d "$src_ro" ]] || die "go mod download of $FERRETDB_MODULE@v$FERRETDB_VERSION failed"
  src="$VIGIE_GOPATH/src/ferretdb-$FERRETDB_VERSION"
  rm -rf "$src"
  mkdir -p "$(dirname "$src")" "$VIGIE_BIN_DIR"
  cp -R "$src_ro" "$src"
  chmod -R u+w "$src"
  printf 'v%s\n' "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  printf 'vigie\n' >"$src/build/version/package.txt"
  (cd "$src" && quietly go_env "$go" build -trimpath -o "$FERRETDB_BIN.part" ./cmd/ferretdb)
  mv "$FERRETDB_BIN.part" "$FERRETDB_BIN"
  ferretdb_is_installed || die "built $FERRETDB_BIN but --version does not report v$FERRETDB_VERSION"
}

# ------------------------------------------------------- Python virtualenv --

# What the venv must contain: the base packages plus tests/requirements.txt
# (by content hash, so editing the file triggers a reinstall).
venv_wanted_stamp() {
  local req="$VIGIE_REPO_ROOT/tests/requirements.txt"
  printf 'packages=%s\n' "${PYTHON_PACKAGES[*]}"
  if [[ -f "$req" ]]; then
    printf 'requirements=%s\n' "$(sha256sum "$req" | awk '{print $1}')"
  fi
}

venv_is_installed() {
  local py="$VIGIE_VENV_DIR/bin/python" stamp="$VIGIE_VENV_DIR/.vigie-installed"
  [[ -x "$py" && -f "$stamp" ]] || return 1
  [[ "$(cat "$stamp")" == "$(venv_wanted_stamp)" ]] || return 1
  "$py" -c 'import pytest, requests' 2>/dev/null
}

install_venv() {
  if venv_is_installed; then
    debug "virtualenv: present in $VIGIE_VENV_DIR"
    return 0
  fi
  local req="$VIGIE_REPO_ROOT/tests/requirements.txt"
  local -a args=("${PYTHON_PACKAGES[@]}")
  # One resolution: pins in requirements.txt win over the bare names.
  if [[ -f "$req" ]]; then args+=(-r "$req"); fi
  [[ -x "$VIGIE_VENV_DIR/bin/python" ]] || python3 -m venv "$VIGIE_VENV_DIR"
  "$VIGIE_VENV_DIR/bin/python" -m pip install -q --disable-pip-version-check "${args[@]}"
  venv_wanted_stamp >"$VIGIE_VENV_DIR/.vigie-installed"
}

# ------------------------------------------------------------ browser tests --

# tests/browser drives Debian's Chromium with playwright-core, whose install
# downloads no browser (the "playwright" package would, and fails here).
# Node.js and npm are the machine's; Debian's are installed only if absent.
BROWSER_DIR="$VIGIE_REPO_ROOT/tests/browser"

browser_missing_apt() {
  apt_is_installed chromium || printf '%s\n' chromium
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_is_installed nodejs || printf '%s\n' nodejs
    apt_is_installed npm || printf '%s\n' npm
  fi
}

# npm ci has run since package-lock.json last changed.
browser_npm_is_installed() {
  local stamp="$BROWSER_DIR/node_modules/.package-lock.json"
  [[ -f "$stamp" && ! "$BROWSER_DIR/package-lock.json" -nt "$stamp" ]]
}

browser_is_installed() {
  [[ -z "$(browser_missing_apt)" ]] && browser_npm_is_installed
}

install_browser() {
  local -a missing
  mapfile -t missing < <(browser_missing_apt)
  if ((${#missing[@]} > 0)); then
    log "Debian packages missing: ${missing[*]}"
    quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends "${missing[@]}"
  fi
  if ! browser_npm_is_installed; then
    (cd "$BROWSER_DIR" && quietly npm ci --no-audit --no-fund)
  fi
}

# --------------------------------------------------------- web vendor files --

# The web pages' third-party files (Bootstrap, Chart.js): npm ci in assets/
# from its package-lock.json, then the few files the pages load are copied
# to the git-ignored assets/vendor/, which Vigie serves itself (no CDN).
# docker/Dockerfile sources this file and calls install_web too.
WEB_DIR="$VIGIE_REPO_ROOT/assets"
WEB_VENDOR_FILES=(
  bootstrap/dist/css/bootstrap.min.css
  bootstrap/dist/css/bootstrap.min.css.map
  bootstrap/dist/js/bootstrap.bundle.min.js
  bootstrap/dist/js/bootstrap.bundle.min.js.map
  chart.js/dist/chart.umd.min.js
  chart.js/dist/chart.umd.min.js.map
)

web_is_installed() {
  local stamp="$WEB_DIR/vendor/.installed"
  [[ -f "$stamp" && ! "$WEB_DIR/package-lock.json" -nt "$stamp" ]]
}

install_web() {
  local f
  command -v npm >/dev/null 2>&1 || die "no npm: install Debian's npm"
  (cd "$WEB_DIR" && quietly npm ci --no-audit --no-fund)
  rm -rf "$WEB_DIR/vendor"
  mkdir -p "$WEB_DIR/vendor"
  for f in "${WEB_VENDOR_FILES[@]}"; do
    cp "$WEB_DIR/node_modules/$f" "$WEB_DIR/vendor/$(basename "$f")"
  done
  touch "$WEB_DIR/vendor/.installed"
}

# ------------------------------------------------------- delivery tools --

# Go programs of make lint / delivery-check, built from the Go module proxy
# into .cache/bin: name, package, version. kubeconform validates the
# rendered Helm chart against the Kubernetes JSON schemas shipped in the
# kubernetes-validate PyPI package (tests/requirements.txt), never
# downloaded at run time (scripts/delivery-check.sh).
GO_TOOLS=(
  "helm helm.sh/helm/v3/cmd/helm v3.16.4"
  "actionlint github.com/rhysd/actionlint/cmd/actionlint v1.7.12"
  "kubeconform github.com/yannh/kubeconform/cmd/kubeconform v0.6.7"
)
# Our compose validator (tools/composecheck: compose-go, the loader of the
# Compose CLI), rebuilt when its sources change. Not part of a plain
# `scripts/install.sh` (make run / make test do not need them): installed by
# `scripts/install.sh delivery`, which scripts/delivery-check.sh runs when
# one is missing.
COMPOSECHECK_DIR="$VIGIE_REPO_ROOT/tools/composecheck"

composecheck_stamp() {
  cat "$COMPOSECHECK_DIR"/go.mod "$COMPOSECHECK_DIR"/go.sum "$COMPOSECHECK_DIR"/*.go | sha256sum | awk '{print $1}'
}

delivery_tools_are_installed() {
  local spec name
  for spec in "${GO_TOOLS[@]}"; do
    name=${spec%% *}
    [[ -x "$VIGIE_BIN_DIR/$name" ]] || return 1
  done
  [[ -x "$VIGIE_BIN_DIR/composecheck" ]] || return 1
  [[ "$(cat "$VIGIE_BIN_DIR/.composecheck.stamp" 2>/dev/null)" == "$(composecheck_stamp)" ]]
}

install_delivery_tools() {
  local go spec name pkg version
  go="$(find_go)" || die "no go toolchain found"
  mkdir -p "$VIGIE_BIN_DIR"
  for spec in "${GO_TOOLS[@]}"; do
    read -r name pkg version <<<"$spec"
    [[ -x "$VIGIE_BIN_DIR/$name" ]] && continue
    log "building $name $version"
    quietly go_env GOBIN="$VIGIE_BIN_DIR" "$go" install "$pkg@$version"
  done
  (cd "$COMPOSECHECK_DIR" && quietly go_env "$go" build -trimpath \
    -o "$VIGIE_BIN_DIR/composecheck.part" .)
  mv "$VIGIE_BIN_DIR/composecheck.part" "$VIGIE_BIN_DIR/composecheck"
  composecheck_stamp >"$VIGIE_BIN_DIR/.composecheck.stamp"
}

# -------------------------------------------------------------------- main --

# Run one component: silent when it is already there, timed when not.
component() {
  local label="$1" check="$2" install="$3"
  if "$check"; then
    debug "$label: already installed"
  else
    step "$label" "$install"
  fi
}

apt_is_complete() { [[ -z "$(missing_apt_packages)" ]]; }

install_main() {
  local start=$SECONDS c
  # Named components only (CI jobs that need a part): apt, venv, delivery,
  # web.
  if (($# > 0)); then
    for c in "$@"; do
      case "$c" in
      apt) component "Debian packages" apt_is_complete install_apt_packages ;;
      venv) component "Python virtualenv (.venv)" venv_is_installed install_venv ;;
      delivery) component "Delivery tools" delivery_tools_are_installed install_delivery_tools ;;
      web) component "Web vendor files (npm ci in assets)" web_is_installed install_web ;;
      *) die "unknown component $c (apt, venv, delivery, web)" ;;
      esac
    done
    return 0
  fi
  component "Debian packages" apt_is_complete install_apt_packages
  # Checked after apt, which may just have installed it.
  find_java >/dev/null || die "no java >= $JAVA_MIN_MAJOR found even after installing $JAVA_APT_PACKAGE"
  component "Elasticsearch $ES_VERSION" es_is_installed install_elasticsearch
  component "FerretDB $FERRETDB_VERSION" ferretdb_is_installed install_ferretdb
  component "Python virtualenv (.venv)" venv_is_installed install_venv
  component "Browser tests (Chromium, npm ci)" browser_is_installed install_browser
  component "Web vendor files (npm ci in assets)" web_is_installed install_web
  log "all components installed ($((SECONDS - start)) s)"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  install_main "$@"
fi
