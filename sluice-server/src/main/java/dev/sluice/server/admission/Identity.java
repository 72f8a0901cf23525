package dev.sluice.server.admission;

import dev.sluice.config.IdentityConfig;
import dev.sluice.core.Cidr;
import dev.sluice.server.http.BadRequestException;
import dev.sluice.server.http.Problem;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Names the client and tier of a request from one {@link IdentityConfig}; immutable and
 * thread-safe, rebuilt on every config reload.
 *
 * <p>The client key is, in order: the client header's value; else {@code apikey:} and the first
 * 24 hex digits of the SHA-256 of the API-key header (so keys never reach logs or metrics); else
 * the remote address. The remote address is replaced by the {@code X-Forwarded-For} client only
 * when the connection comes from a trusted proxy: the list is read right to left, skipping trusted
 * hops, and the first untrusted address is the client.
 *
 * <p>The tier is, in order: the fixed assignment in {@code identity.clients}; else the tier header
 * when one is configured and present; else the default tier.
 */
public final class Identity {

  /** The longest client key accepted, in characters. */
  public static final int MAX_KEY_LENGTH = 256;

  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final AsciiString clientHeader;
  private final AsciiString apiKeyHeader;
  private final AsciiString tierHeader;
  private final List<Cidr> trusted;
  private final Map<String, String> clientTiers;
  private final String defaultTier;

  private Identity(IdentityConfig config) {
    this.clientHeader = AsciiString.of(config.clientHeader().toLowerCase(Locale.ROOT));
    this.apiKeyHeader = AsciiString.of(config.apiKeyHeader().toLowerCase(Locale.ROOT));
    this.tierHeader = config.tierHeader() == null ? null
        : AsciiString.of(config.tierHeader().toLowerCase(Locale.ROOT));
    List<Cidr> t = new ArrayList<>();
    for (String block : config.trustedProxies()) {
      t.add(Cidr.parse(block));
    }
    this.trusted = List.copyOf(t);
    this.clientTiers = config.clientTiers();
    this.defaultTier = config.defaultTier();
  }

  /** Returns the identity rules of {@code config}. */
  public static Identity of(IdentityConfig config) {
    return new Identity(config);
  }

  /**
   * Returns the client key of a request.
   *
   * @throws BadRequestException if the client header is longer than {@value #MAX_KEY_LENGTH}
   */
  public String clientKey(HttpHeaders headers, InetAddress remote) {
    String id = headers.get(clientHeader);
    if (id != null && !id.isEmpty()) {
      if (id.length() > MAX_KEY_LENGTH) {
        throw new BadRequestException(Problem.badRequest("the " + clientHeader + " header is "
            + id.length() + " characters long (expected: at most " + MAX_KEY_LENGTH + ")", List.of()));
      }
      return id;
    }
    String apiKey = headers.get(apiKeyHeader);
    if (apiKey != null && !apiKey.isEmpty()) {
      return apiKeyId(apiKey);
    }
    return clientAddress(remote, headers.get(X_FORWARDED_FOR)).getHostAddress();
  }

  /**
   * Returns the tier of {@code client}: its fixed assignment, else the tier header's value (which
   * the caller must check exists), else the default tier.
   */
  public String tier(String client, HttpHeaders headers) {
    String fixed = clientTiers.get(client);
    if (fixed != null) {
      return fixed;
    }
    if (tierHeader != null) {
      String named = headers.get(tierHeader);
      if (named != null && !named.isEmpty()) {
        return named;
      }
    }
    return defaultTier;
  }

  /** Returns the tier of {@code client} named by a decision request ({@code null}: none named). */
  public String tierOf(String client, String named) {
    if (named != null) {
      return named;
    }
    String fixed = clientTiers.get(client);
    return fixed != null ? fixed : defaultTier;
  }

  /** Returns the address of the client behind {@code remote}, believing trusted proxies only. */
  InetAddress clientAddress(InetAddress remote, String forwardedFor) {
    if (forwardedFor == null || trusted.isEmpty() || !isTrusted(remote)) {
      return remote;
    }
    InetAddress client = remote;
    int end = forwardedFor.length();
    while (end > 0) {
      int comma = forwardedFor.lastIndexOf(',', end - 1);
      String hop = forwardedFor.substring(comma + 1, end).strip();
      end = comma < 0 ? 0 : comma;
      InetAddress address = hop.isEmpty() ? null : NetUtil.createInetAddressFromIpAddressString(hop);
      if (address == null) {
        return client;
      }
      client = address;
      if (!isTrusted(address)) {
        return address;
      }
    }
    return client;
  }

  private boolean isTrusted(InetAddress address) {
    for (Cidr block : trusted) {
      if (block.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** Returns the key an API key is counted under: {@code apikey:} and 24 hex digits of its SHA-256. */
  public static String apiKeyId(String apiKey) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
    StringBuilder sb = new StringBuilder("apikey:");
    for (int i = 0; i < 12; i++) {
      sb.append(HEX[(digest[i] >> 4) & 0xF]).append(HEX[digest[i] & 0xF]);
    }
    return sb.toString();
  }
}
