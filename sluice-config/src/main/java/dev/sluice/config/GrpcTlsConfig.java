package dev.sluice.config;

import java.nio.file.Path;

/**
 * TLS on the gRPC port of Envoy's rate-limit service ({@code server.grpc-tls}): a certificate chain
 * and its private key, both PEM files, read when the port opens. Immutable.
 *
 * @param cert the PEM certificate chain (the server's certificate first)
 * @param key the PEM private key of the certificate (PKCS#8, unencrypted)
 */
public record GrpcTlsConfig(Path cert, Path key) {

  /** Requires both paths. */
  public GrpcTlsConfig {
    if (cert == null || key == null) {
      throw new IllegalArgumentException("server.grpc-tls: cert and key are both required");
    }
  }
}
