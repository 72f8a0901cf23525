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
 */
public record ServerConfig(String bind, int port, String adminBind, int adminPort, String adminToken) {

  /** The defaults: edge on 0.0.0.0:8080, admin on 127.0.0.1:9090, token from the environment. */
  public static final ServerConfig DEFAULT = new ServerConfig("0.0.0.0", 8080, "127.0.0.1", 9090, null);

  /** Validates ports and addresses. */
  public ServerConfig {
    Checks.notBlank("server.bind", bind);
    Checks.notBlank("server.admin-bind", adminBind);
    Checks.port("server.port", port);
    Checks.port("server.admin-port", adminPort);
  }
}
