package dev.sluice.config;

import java.util.Locale;

/**
 * Syntactic checks of IPv4 and IPv6 addresses and CIDR blocks, for {@code
 * identity.trusted-proxies}; never resolves names.
 */
final class Cidrs {

  /** What a trusted-proxy entry looks like, for problem messages. */
  static final String EXPECTED = "an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or ::1/128";

  private Cidrs() {}

  /**
   * Returns {@code text} as a CIDR block: stripped, lower-case, with {@code /32} or {@code /128}
   * added to a bare address.
   *
   * @throws IllegalArgumentException if it is not an IPv4 or IPv6 address or block
   */
  static String normalise(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    boolean v6 = address.indexOf(':') >= 0;
    if (!(v6 ? isIpv6(address) : isIpv4(address))) {
      throw new IllegalArgumentException(EXPECTED);
    }
    int maxPrefix = v6 ? 128 : 32;
    if (slash < 0) {
      return address + "/" + maxPrefix;
    }
    String prefix = s.substring(slash + 1);
    if (!isDecimal(prefix, 3) || Integer.parseInt(prefix) > maxPrefix
        || prefix.length() > 1 && prefix.charAt(0) == '0') {
      throw new IllegalArgumentException("a prefix length 0.." + maxPrefix);
    }
    return address + "/" + Integer.parseInt(prefix);
  }

  /** Returns whether {@code s} is a dotted-quad IPv4 address without leading zeros. */
  static boolean isIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (!isDecimal(part, 3) || Integer.parseInt(part) > 255 || part.length() > 1 && part.charAt(0) == '0') {
        return false;
      }
    }
    return true;
  }

  /** Returns whether {@code s} is an IPv6 address (RFC 4291 text form, no zone id). */
  static boolean isIpv6(String s) {
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    String head = gap < 0 ? s : s.substring(0, gap);
    String tail = gap < 0 ? "" : s.substring(gap + 2);
    int headGroups = groups(head, gap < 0);
    int tailGroups = groups(tail, true);
    if (headGroups < 0 || tailGroups < 0) {
      return false;
    }
    int total = headGroups + tailGroups;
    return gap < 0 ? total == 8 : total <= 7;
  }

  /**
   * Returns how many 16-bit groups {@code part} holds (an embedded IPv4 address counts two, and
   * is allowed only at the end when {@code last}), or -1 if it is malformed.
   */
  private static int groups(String part, boolean last) {
    if (part.isEmpty()) {
      return 0;
    }
    String[] groups = part.split(":", -1);
    int count = 0;
    for (int i = 0; i < groups.length; i++) {
      String g = groups[i];
      if (last && i == groups.length - 1 && g.indexOf('.') >= 0) {
        if (!isIpv4(g)) {
          return -1;
        }
        count += 2;
      } else if (g.isEmpty() || g.length() > 4
          || !g.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return -1;
      } else {
        count++;
      }
    }
    return count;
  }

  private static boolean isDecimal(String s, int maxDigits) {
    return !s.isEmpty() && s.length() <= maxDigits && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
