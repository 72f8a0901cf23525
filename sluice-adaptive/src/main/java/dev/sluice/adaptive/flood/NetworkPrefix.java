package dev.sluice.adaptive.flood;

/**
 * The network a client address belongs to, for capping unproven clients per network: an IPv4
 * address's /24 ({@code 203.0.113.7} → {@code 203.0.113.0/24}), an IPv6 address's /56 (its first
 * 56 bits, from the full or {@code ::}-compressed form). A key that is not an address is its own
 * network. Allocates the prefix string; called only for unproven clients during a flood.
 */
public final class NetworkPrefix {

  private NetworkPrefix() {}

  /** Returns the /24 or /56 of {@code key}, or {@code key} itself when it is not an IP address. */
  public static String of(String key) {
    if (key.indexOf(':') >= 0) {
      return v6(key);
    }
    int dots = 0;
    int lastDot = -1;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '.') {
        dots++;
        lastDot = i;
      } else if (c < '0' || c > '9') {
        return key;
      }
    }
    return dots == 3 ? key.substring(0, lastDot) + ".0/24" : key;
  }

  private static String v6(String key) {
    int[] groups = new int[8];
    int dbl = key.indexOf("::");
    try {
      String[] head = (dbl < 0 ? key : key.substring(0, dbl)).split(":", -1);
      String[] tail = dbl < 0 ? new String[0] : key.substring(dbl + 2).split(":", -1);
      if (dbl >= 0 && head.length == 1 && head[0].isEmpty()) {
        head = new String[0];
      }
      if (tail.length == 1 && tail[0].isEmpty()) {
        tail = new String[0];
      }
      if (head.length + tail.length > 8 || dbl < 0 && head.length != 8) {
        return key;
      }
      for (int i = 0; i < head.length; i++) {
        groups[i] = Integer.parseInt(head[i], 16);
      }
      for (int i = 0; i < tail.length; i++) {
        groups[8 - tail.length + i] = Integer.parseInt(tail[i], 16);
      }
    } catch (NumberFormatException e) {
      return key;
    }
    for (int g : groups) {
      if (g < 0 || g > 0xffff) {
        return key;
      }
    }
    return String.format("%x:%x:%x:%x::/56", groups[0], groups[1], groups[2], groups[3] & 0xff00);
  }
}
