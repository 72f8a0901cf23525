# Sourced (POSIX sh) by ./mvnw, ./sluice and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# Order: $JAVA_HOME, `java` on PATH, then the usual install folders.
# Prints a clear error and returns 1 when none is found.

sluice_jdk_ok() {
  # $1: a JDK home. True when it has java and javac and java's feature version is >= 21.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  sluice_major=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1)
  [ -n "$sluice_major" ] && [ "$sluice_major" -ge 21 ]
}

sluice_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && sluice_jdk_ok "$JAVA_HOME"; then
    export JAVA_HOME
    return 0
  fi
  if command -v java >/dev/null 2>&1; then
    sluice_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    if sluice_jdk_ok "$sluice_home"; then
      JAVA_HOME=$sluice_home
      export JAVA_HOME
      return 0
    fi
  fi
  for sluice_home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
                     /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    if [ -d "$sluice_home" ] && sluice_jdk_ok "$sluice_home"; then
      JAVA_HOME=$sluice_home
      export JAVA_HOME
      return 0
    fi
  done
  echo "error: Sluice needs a JDK 21 or newer (java and javac); none was found." >&2
  echo "       Looked at \$JAVA_HOME, 'java' on PATH, /usr/lib/jvm, /usr/java and /opt." >&2
  echo "       Install one (e.g. Temurin 21+) or point JAVA_HOME at it." >&2
  return 1
}
