package dev.sluice.core;

/** Allocation-free matching of {@code /a/*}{@code /**}-style path patterns; see {@link CostRule}. */
final class PathPattern {

  private PathPattern() {}

  /**
   * Returns whether the pattern from {@code pi} matches the path from {@code si}; both indexes
   * point at the start of a segment.
   */
  static boolean matches(String pattern, int pi, String path, int si) {
    int pn = pattern.length();
    int sn = path.length();
    while (pi <= pn) {
      int pEnd = segmentEnd(pattern, pi);
      if (pEnd - pi == 2 && pattern.charAt(pi) == '*' && pattern.charAt(pi + 1) == '*') {
        int next = pEnd + 1;
        if (next > pn) {
          return true; // trailing ** matches the rest, including nothing
        }
        // ** matches zero or more whole segments: try every segment start from here on.
        for (int s = si; s <= sn; s = segmentEnd(path, s) + 1) {
          if (matches(pattern, next, path, s)) {
            return true;
          }
        }
        return false;
      }
      if (si > sn) {
        return false;
      }
      int sEnd = segmentEnd(path, si);
      if (!segmentMatches(pattern, pi, pEnd, path, si, sEnd)) {
        return false;
      }
      pi = pEnd + 1;
      si = sEnd + 1;
    }
    return si > sn;
  }

  private static int segmentEnd(String s, int from) {
    int slash = s.indexOf('/', from);
    return slash < 0 ? s.length() : slash;
  }

  /** Glob match of one segment where {@code *} matches any run of characters. */
  private static boolean segmentMatches(String p, int pFrom, int pTo, String s, int sFrom, int sTo) {
    int pi = pFrom;
    int si = sFrom;
    int starP = -1;
    int starS = -1;
    while (si < sTo) {
      if (pi < pTo && p.charAt(pi) == '*') {
        starP = pi++;
        starS = si;
      } else if (pi < pTo && p.charAt(pi) == s.charAt(si)) {
        pi++;
        si++;
      } else if (starP >= 0) {
        pi = starP + 1;
        si = ++starS;
      } else {
        return false;
      }
    }
    while (pi < pTo && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == pTo;
  }
}
