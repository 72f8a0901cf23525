package dev.sluice.config;

/**
 * Where the edge and admin ports listen.
 *
 * @param bind address of the edge port (proxied routes and the decision API)
 * @param port edge port, 0..65535 (0 picks a free port)
 * @param adminBind address of the admin port; loopback by default
 * @param adminPort admin port, 0..65535
 * @param adminToken bearer token the admin API requires, or {@code null} to read it from the
 *     {@code SLUICE_ADMIN_TOKEN} environment variable at start-up
 * @param grpcPort port of Envoy's rate-limit service (gRPC) on {@code bind}, 0..65535; 0 means off
 *     unless {@code sluice serve --envoy-config} asks for it (then its default, 8081)
 * @param grpcTls TLS on the gRPC port, or {@code null} for HTTP/2 cleartext
 */
public record ServerConfig(String bind, int port, String adminBind, int adminPort, String adminToken, int grpcPort,
    GrpcTlsConfig grpcTls) {

  /** The defaults: edge on 0.0.0.0:8080, admin on 127.0.0.1:9090, token from the environment, no gRPC port. */
  public static final ServerConfig DEFAULT = new ServerConfig("0.0.0.0", 8080, "127.0.0.1", 9090, null, 0, null);

  /** A config without a gRPC port ({@code grpcPort} 0). */
  public ServerConfig(String bind, int port, String adminBind, int adminPort, String adminToken) {
    this(bind, port, adminBind, adminPort, adminToken, 0, null);
  }

  /** A config whose gRPC port, if any, is cleartext. */
  public ServerConfig(String bind, int port, String adminBind, int adminPort, String adminToken, int grpcPort) {
    this(bind, port, adminBind, adminPort, adminToken, grpcPort, null);
  }

  /** Validates ports and addresses. */
  public ServerConfig {
    Checks.notBlank("server.bind", bind);
    Checks.notBlank("server.admin-bind", adminBind);
    Checks.port("server.port", port);
    Checks.port("server.admin-port", adminPort);
    Checks.port("server.grpc-port", grpcPort);
  }
}
