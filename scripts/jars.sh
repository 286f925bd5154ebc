# Sourced by the scripts that run the project's jars (run, fleet, chaos, relay, bench/lib.sh): finds a module's
# runnable jar whatever the project's version, and builds again when a jar is older than what it is built from, so
# that no script runs a stale build. Expects $root (the repository) and a say function.

# jar_of MODULE: the newest target/agent-relay-MODULE-<version>-all.jar of the module, or a path that does not exist.
jar_of() {
  local newest
  newest="$(ls -1t "$root/$1"/target/agent-relay-"$1"-*-all.jar 2>/dev/null | head -n 1)"
  printf '%s\n' "${newest:-$root/$1/target/agent-relay-$1-all.jar}"
}

# outdated FILE MODULE...: prints why FILE must be built (missing, or a main source of a MODULE changed since it was;
# for a shaded -all.jar, which Maven writes on every package, also a pom); prints nothing when it is current.
outdated() {
  local file="$1" newer
  shift
  if [[ ! -f "$file" ]]; then
    printf '%s is not built\n' "${file#"$root"/}"
    return
  fi
  local sources=()
  [[ "$file" != *-all.jar ]] || sources+=("$root/pom.xml")
  for module in "$@"; do
    [[ "$file" != *-all.jar ]] || sources+=("$root/$module/pom.xml")
    sources+=("$root/$module/src/main")
  done
  newer="$(find "${sources[@]}" -newer "$file" -type f -print -quit 2>/dev/null)"
  [[ -z "$newer" ]] || printf '%s is older than %s\n' "${file#"$root"/}" "${newer#"$root"/}"
}

# build_when_needed MODULE...: builds relay, executor, tools (their runnable jars) or testkit (the local broker's
# classpath) with what they use, when one is missing or older than its sources, or REBUILD=1; says why on stderr.
build_when_needed() {
  local why="" module
  for module in "$@"; do
    case "$module" in
      relay | executor) why+="$(outdated "$(jar_of "$module")" "$module" runtime common)"$'\n' ;;
      tools) why+="$(outdated "$(jar_of tools)" tools client runtime common)"$'\n' ;;
      testkit)
        # The local broker runs from testkit's classes and the classpath file written beside its jar (Maven rewrites
        # either only when it changes, so their sources decide).
        local testkit_jar
        # (|| true: before the first build there is none, and ls fails under pipefail)
        testkit_jar="$(ls -1t "$root"/testkit/target/agent-relay-testkit-*.jar 2>/dev/null | head -n 1 || true)"
        why+="$(outdated "${testkit_jar:-$root/testkit/target/agent-relay-testkit.jar}" testkit)"$'\n'
        [[ -f "$root/testkit/target/runtime-classpath.txt" ]] || why+="testkit/target/runtime-classpath.txt is missing"$'\n' ;;
    esac
  done
  [[ "${REBUILD:-0}" != 1 ]] || why+="REBUILD=1"
  why="$(sed '/^$/d' <<< "$why" | paste -sd ';' | sed 's/;/; /g')"
  [[ -n "$why" ]] || return 0
  say "building $(IFS=,; echo "$*"), since $why"
  (cd "$root" && ./mvnw -B -q -DskipTests -pl "$(IFS=,; echo "$*")" -am package >&2)
}
