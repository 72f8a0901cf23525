# Sourced (POSIX sh) by ./mvnw, ./sluice and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# Order: $JAVA_HOME, `java` on PATH, then the usual install folders.
# Prints a clear error and returns 1 when none is found, and a note on stderr when JAVA_HOME names
# an older JDK (or none) and another one is used. Leaves sluice_major set to the chosen JDK's version.

sluice_jdk_ok() {
  # $1: a JDK home. True when it has java and javac and java's feature version is >= 21.
  # Sets sluice_major to that version (empty when $1 has no java and javac).
  sluice_major=""
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  sluice_major=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1)
  [ -n "$sluice_major" ] && [ "$sluice_major" -ge 21 ]
}

sluice_report_pick() {
  if [ -n "$sluice_rejected" ]; then
    echo "sluice: $sluice_rejected; using $JAVA_HOME (JDK $sluice_major)" >&2
  fi
}

sluice_find_jdk() {
  sluice_rejected=""
  if [ -n "${JAVA_HOME:-}" ]; then
    if sluice_jdk_ok "$JAVA_HOME"; then
      export JAVA_HOME
      return 0
    fi
    # Say so when another JDK is used instead of the one JAVA_HOME names (on stderr, once).
    if [ -n "$sluice_major" ]; then
      sluice_rejected="JAVA_HOME is JDK $sluice_major"
    elif [ -x "$JAVA_HOME/bin/java" ]; then
      sluice_rejected="JAVA_HOME ($JAVA_HOME) has no javac"
    else
      sluice_rejected="JAVA_HOME ($JAVA_HOME) holds no java"
    fi
  fi
  if command -v java >/dev/null 2>&1; then
    sluice_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    if sluice_jdk_ok "$sluice_home"; then
      JAVA_HOME=$sluice_home
      export JAVA_HOME
      sluice_report_pick
      return 0
    fi
  fi
  for sluice_home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
                     /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    if [ -d "$sluice_home" ] && sluice_jdk_ok "$sluice_home"; then
      JAVA_HOME=$sluice_home
      export JAVA_HOME
      sluice_report_pick
      return 0
    fi
  done
  echo "error: Sluice needs a JDK 21 or newer (java and javac); none was found${sluice_rejected:+ ($sluice_rejected)}." >&2
  echo "       Looked at \$JAVA_HOME, 'java' on PATH, /usr/lib/jvm, /usr/java and /opt." >&2
  echo "       Install one (e.g. Temurin 21+) or point JAVA_HOME at it." >&2
  return 1
}
