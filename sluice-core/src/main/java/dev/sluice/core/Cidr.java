package dev.sluice.core;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Locale;

/**
 * An IPv4 or IPv6 address block in CIDR notation, such as {@code 10.0.0.0/8} or {@code
 * 2001:db8::/32}; immutable. The one parser of addresses and blocks in Sluice ({@code
 * identity.trusted-proxies} is checked and matched through it); purely syntactic, it never
 * resolves names.
 */
public final class Cidr {

  /** What a block looks like, for problem messages. */
  public static final String EXPECTED = "an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or ::1/128";

  private final byte[] address;
  private final int prefixLength;
  private final String text;

  private Cidr(byte[] address, int prefixLength, String text) {
    this.address = address;
    this.prefixLength = prefixLength;
    this.text = text;
  }

  /**
   * Returns the block {@code text} denotes: an address with a prefix length, or a bare address
   * (a block of one: {@code /32} or {@code /128}). Surrounding white space and letter case do not
   * matter; IPv4 parts have no leading zeros; IPv6 takes the RFC 4291 text forms without a zone id.
   *
   * @throws IllegalArgumentException with a message {@code cidr: TEXT (expected: ...)}
   */
  public static Cidr parse(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    int slash = s.indexOf('/');
    String written = slash < 0 ? s : s.substring(0, slash);
    boolean v6 = written.indexOf(':') >= 0;
    byte[] address = v6 ? ipv6(written) : ipv4(written);
    if (address == null) {
      throw invalid(text, EXPECTED);
    }
    int maxPrefix = v6 ? 128 : 32;
    if (slash < 0) {
      return new Cidr(address, maxPrefix, written + "/" + maxPrefix);
    }
    String prefix = s.substring(slash + 1);
    if (!isDecimal(prefix, 3) || Integer.parseInt(prefix) > maxPrefix
        || prefix.length() > 1 && prefix.charAt(0) == '0') {
      throw invalid(text, "a prefix length 0.." + maxPrefix);
    }
    return new Cidr(address, Integer.parseInt(prefix), written + "/" + Integer.parseInt(prefix));
  }

  /** Returns the address as written (not masked): 4 bytes for IPv4, 16 for IPv6; a copy. */
  public byte[] address() {
    return address.clone();
  }

  /** Returns the number of leading bits that name the block, 0..32 or 0..128. */
  public int prefixLength() {
    return prefixLength;
  }

  /**
   * Returns whether {@code a} lies in this block. IPv4 and IPv6 meet through IPv4-mapped addresses
   * ({@code ::ffff:10.1.2.3} is in {@code 10.0.0.0/8}, and {@code 10.1.2.3} in {@code
   * ::ffff:10.0.0.0/104}); no other address of one family is in a block of the other.
   */
  public boolean contains(InetAddress a) {
    byte[] block = mapped(address);
    byte[] candidate = mapped(a.getAddress());
    int bits = address.length == 4 ? prefixLength + 96 : prefixLength;
    int whole = bits / 8;
    for (int i = 0; i < whole; i++) {
      if (block[i] != candidate[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (block[whole] & mask) == (candidate[whole] & mask);
  }

  /** Returns a 16-byte address: IPv6 as is, IPv4 as its IPv4-mapped IPv6 form. */
  private static byte[] mapped(byte[] a) {
    if (a.length == 16) {
      return a;
    }
    byte[] m = new byte[16];
    m[10] = (byte) 0xff;
    m[11] = (byte) 0xff;
    System.arraycopy(a, 0, m, 12, 4);
    return m;
  }

  /** Returns the block as {@code address/prefix}: stripped, lower-case, the prefix always given. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.address, address);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(address) + prefixLength;
  }

  /** Returns whether {@code s} is a dotted-quad IPv4 address without leading zeros. */
  static boolean isIpv4(String s) {
    return ipv4(s) != null;
  }

  /** Returns whether {@code s} is an IPv6 address (RFC 4291 text form, no zone id). */
  static boolean isIpv6(String s) {
    return ipv6(s) != null;
  }

  /** Returns the 4 bytes of the dotted quad {@code s}, or {@code null} if it is not one. */
  private static byte[] ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (!isDecimal(part, 3) || Integer.parseInt(part) > 255 || part.length() > 1 && part.charAt(0) == '0') {
        return null;
      }
      out[i] = (byte) Integer.parseInt(part);
    }
    return out;
  }

  /** Returns the 16 bytes of the IPv6 address {@code s}, or {@code null} if it is not one. */
  private static byte[] ipv6(String s) {
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    byte[] head = groups(gap < 0 ? s : s.substring(0, gap), gap < 0);
    byte[] tail = gap < 0 ? new byte[0] : groups(s.substring(gap + 2), true);
    if (head == null || tail == null) {
      return null;
    }
    int total = head.length + tail.length;
    if (gap < 0 ? total != 16 : total > 14) {
      return null;
    }
    byte[] out = new byte[16];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(tail, 0, out, 16 - tail.length, tail.length);
    return out;
  }

  /**
   * Returns the bytes of the colon-separated 16-bit groups {@code part} (an embedded IPv4 address
   * gives four, and is allowed only at the end when {@code last}), or {@code null} if it is malformed.
   */
  private static byte[] groups(String part, boolean last) {
    if (part.isEmpty()) {
      return new byte[0];
    }
    String[] groups = part.split(":", -1);
    byte[] out = new byte[groups.length * 2 + 2];
    int n = 0;
    for (int i = 0; i < groups.length; i++) {
      String g = groups[i];
      if (last && i == groups.length - 1 && g.indexOf('.') >= 0) {
        byte[] v4 = ipv4(g);
        if (v4 == null) {
          return null;
        }
        System.arraycopy(v4, 0, out, n, 4);
        n += 4;
      } else if (g.isEmpty() || g.length() > 4
          || !g.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return null;
      } else {
        int value = Integer.parseInt(g, 16);
        out[n++] = (byte) (value >> 8);
        out[n++] = (byte) value;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static boolean isDecimal(String s, int maxDigits) {
    return !s.isEmpty() && s.length() <= maxDigits && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  private static IllegalArgumentException invalid(String text, String expected) {
    return new IllegalArgumentException("cidr: " + text.strip() + " (expected: " + expected + ")");
  }
}
