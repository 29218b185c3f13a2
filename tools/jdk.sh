# Sourced by ./conv4j: finds a JDK >= 25 (JAVA_HOME first, then the usual JVM folders) and prints its home.
# Maven itself may run on an older JDK; conv4j's code needs 25 (Vector API incubator 10, FFM final).

conv4j_jdk_feature() { # prints the feature version of the JDK at $1, or nothing
  local rel="$1/release"
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  if [ -f "$rel" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"
  else
    "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
  fi
}

conv4j_find_jdk() {
  local min=25 best="" bestv=0 d v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(conv4j_jdk_feature "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$d" ] || continue
    v=$(conv4j_jdk_feature "$d") || continue
    if [ -n "$v" ] && [ "$v" -ge "$min" ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  cat >&2 <<MSG
conv4j needs a JDK $min or newer, and found none (looked at JAVA_HOME=${JAVA_HOME:-<unset>} and /usr/lib/jvm).
Install one, for example:
  Debian/Ubuntu:  apt-get install openjdk-25-jdk      (or Eclipse Temurin's temurin-25-jdk)
  SDKMAN:         sdk install java 25-tem
then run this command again, or point JAVA_HOME at it.
MSG
  return 1
}
