# Shared shell functions for Samsa's scripts. Source it; do not run it.
# shellcheck shell=bash

SAMSA_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export SAMSA_HOME

samsa_die() {
  echo "error: $*" >&2
  exit 1
}

# Value of a key in a .properties file (last occurrence wins; no escapes needed for our keys).
samsa_prop() {
  local file="$1" key="$2" default="${3-}"
  local line
  line="$(grep -E "^[[:space:]]*${key//./\\.}[[:space:]]*[=:]" "$file" | tail -n 1 || true)"
  if [ -z "$line" ]; then
    printf '%s' "$default"
  else
    printf '%s' "$line" | sed -E 's/^[^=:]*[=:][[:space:]]*//; s/[[:space:]]+$//'
  fi
}

# Installs npm packages when node_modules is missing or older than the lock file.
samsa_ensure_node_modules() {
  # A node_modules that is a symlink (a worktree sharing another checkout's packages) is left
  # alone: npm ci would empty the link's target for every tree sharing it, and a fresh checkout's
  # package-lock.json is always newer than the target's install.
  if [ -L "$SAMSA_HOME/node_modules" ]; then return 0; fi
  if [ ! -f "$SAMSA_HOME/node_modules/.package-lock.json" ] ||
     [ "$SAMSA_HOME/package-lock.json" -nt "$SAMSA_HOME/node_modules/.package-lock.json" ]; then
    echo "samsa: installing npm packages (npm ci)..." >&2
    (cd "$SAMSA_HOME" && npm ci --no-audit --no-fund --loglevel=error) ||
      samsa_die "npm ci failed; package-lock.json must stay in sync with package.json (regenerate it with npm install --package-lock-only, then npm test -- unit --grep dependencies)"
  fi
}

# Sources whose change makes the bundles in .build/ stale (scripts/lib/build.mjs).
samsa_sources_newer_than() {
  [ -n "$(find "$SAMSA_HOME"/broker "$SAMSA_HOME"/storage "$SAMSA_HOME"/coordination "$SAMSA_HOME"/protocol \
    "$SAMSA_HOME"/client "$SAMSA_HOME"/common "$SAMSA_HOME"/scripts "$SAMSA_HOME"/package-lock.json \
    -newer "$1" \( -name '*.ts' -o -name '*.mjs' -o -name package-lock.json \) -print -quit 2>/dev/null)" ]
}

# Sets SAMSA_BUILD to the current bundle directory, building it first when missing or stale.
# Processes run from bundles (one module graph, no per-file transpiling at start); tests that
# import the sources in-process still use tsx.
samsa_ensure_build() {
  local current="$SAMSA_HOME/.build/current"
  if [ ! -f "$current/.stamp" ] || samsa_sources_newer_than "$current/.stamp"; then
    samsa_ensure_node_modules
    mkdir -p "$SAMSA_HOME/.build"
    # Several processes may start at once (a cluster's brokers): one builds, the rest wait and reuse it.
    (
      flock 9
      if [ ! -f "$current/.stamp" ] || samsa_sources_newer_than "$current/.stamp"; then
        node "$SAMSA_HOME/scripts/lib/build.mjs"
      fi
    ) 9>"$SAMSA_HOME/.build/.lock" || samsa_die "could not build the bundles in $SAMSA_HOME/.build (scripts/lib/build.mjs)"
  fi
  SAMSA_BUILD="$(readlink -f "$current")"
}

# Sets SAMSA_ENTRY to the bundle of a TypeScript entry point, e.g. scripts/cli/topics.ts.
samsa_entry() {
  samsa_ensure_build
  SAMSA_ENTRY="$SAMSA_BUILD/${1%.ts}.mjs"
  [ -f "$SAMSA_ENTRY" ] || samsa_die "$1 is not an entry point of the build (ENTRY_POINTS in scripts/lib/build.mjs)"
}

# Moves FILE aside before a process writes a fresh one: FILE -> FILE.1 -> ... -> FILE.5 (the
# oldest goes), so a restart keeps the log of the run (or crash) before it.
samsa_rotate_log() {
  local file="$1" keep=5 i
  [ -s "$file" ] || return 0
  for (( i=keep-1; i>=1; i-- )); do
    if [ -f "$file.$i" ]; then mv -f "$file.$i" "$file.$((i + 1))"; fi
  done
  mv -f "$file" "$file.1"
}

samsa_is_root() { [ "$(id -u)" = "0" ]; }
samsa_is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }

# Installs a Debian package when missing and we may. Returns non-zero, with the reason on stderr,
# when the package is missing and cannot be installed here (not root, not Debian, apt failed).
# usage: samsa_install_debian_package <package> <command-or-file-that-proves-it> <what it is for>
samsa_install_debian_package() {
  local pkg="$1" probe="$2" why="$3"
  if command -v "$probe" >/dev/null 2>&1 || [ -e "$probe" ]; then return 0; fi
  if ! samsa_is_root || ! samsa_is_debian; then
    echo "samsa: $why needs the Debian package '$pkg' (run as root: apt-get install $pkg)" >&2
    return 1
  fi
  echo "samsa: installing Debian package $pkg ($why)..." >&2
  if [ ! -d /var/lib/apt/lists ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock || true)" ]; then
    apt-get update -qq >&2 || { echo "samsa: apt-get update failed" >&2; return 1; }
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >&2 ||
    { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >&2; } ||
    { echo "samsa: could not install $pkg" >&2; return 1; }
}

# A package the tests cannot do without: installs it or stops.
samsa_ensure_debian_package() {
  samsa_install_debian_package "$@" || samsa_die "$3 needs the Debian package '$1'"
}

# A package only some tests need: installs it when possible; otherwise those tests skip, saying why.
samsa_offer_debian_package() {
  samsa_install_debian_package "$@" || echo "samsa: continuing without $1; $3 will skip" >&2
}

# Sets ZK_CLASSPATH and JAVA to run Apache ZooKeeper, installing Debian's package if allowed.
samsa_find_zookeeper() {
  JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  command -v "$JAVA" >/dev/null 2>&1 ||
    samsa_die "ZooKeeper needs Java 17 (not found: $JAVA); install it, e.g. apt-get install openjdk-17-jre-headless"
  if [ -n "${ZOOKEEPER_HOME:-}" ]; then
    local jars
    jars="$(ls "$ZOOKEEPER_HOME"/lib/*.jar "$ZOOKEEPER_HOME"/*.jar 2>/dev/null | tr '\n' ':')"
    [ -n "$jars" ] || samsa_die "ZOOKEEPER_HOME=$ZOOKEEPER_HOME holds no ZooKeeper jars (expected lib/*.jar)"
    ZK_CLASSPATH="$jars"
    return 0
  fi
  if [ ! -f /usr/share/java/zookeeper.jar ]; then
    if samsa_is_root && samsa_is_debian; then
      samsa_ensure_debian_package zookeeper /usr/share/java/zookeeper.jar "Apache ZooKeeper"
    else
      samsa_die "Apache ZooKeeper was not found. Install Debian's package (as root: apt-get install zookeeper) or set ZOOKEEPER_HOME to an Apache ZooKeeper 3.5+ installation."
    fi
  fi
  ZK_CLASSPATH="/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar"
}

# Prints the answer of a ZooKeeper four-letter word, or nothing.
samsa_zk_4lw() {
  local host="$1" port="$2" word="$3"
  ( exec 3<>"/dev/tcp/$host/$port" && printf '%s' "$word" >&3 && timeout 2 cat <&3 ) 2>/dev/null || true
}

# Waits until `srvr` reports a Mode: line (ruok answers before the server can serve).
samsa_wait_zk_serving() {
  local host="$1" port="$2" seconds="$3" pid="${4:-}"
  local deadline=$(( $(date +%s) + seconds ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if samsa_zk_4lw "$host" "$port" srvr | grep -q '^Mode:'; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 2; fi
    sleep 0.2
  done
  return 1
}

samsa_port_in_use() {
  ( exec 3<>"/dev/tcp/$1/$2" ) 2>/dev/null
}

# Absolute form of a path relative to the current directory.
samsa_abspath() {
  case "$1" in
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$(pwd)" "$1" ;;
  esac
}
