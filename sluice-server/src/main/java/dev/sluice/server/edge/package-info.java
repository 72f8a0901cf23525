/**
 * The edge port: HTTP/1.1 on Netty, its connections, strict codec and exchanges (the reverse
 * proxy, {@code POST /v1/decisions}, {@code POST /v1/feedback}), the answers it makes itself
 * (problems, 429 and the {@code RateLimit} fields) and the pooled upstream connections. The state
 * machines of a connection and its exchanges are described at the top of {@link
 * dev.sluice.server.edge.EdgeConnection}.
 *
 * <p>May use {@code admission}, {@code http}, {@code live} and {@code observe}. No Armeria type is
 * used here. Public types are internal to the server module, public only for its wiring and the
 * {@code live} room (not API).
 */
package dev.sluice.server.edge;
