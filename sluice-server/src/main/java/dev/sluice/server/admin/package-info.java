/**
 * The admin port on Armeria: health and readiness, Prometheus metrics, the running config (read
 * and hot reload) and one client's buckets, behind a bearer token, every error an RFC 9457 problem;
 * the live dashboard ({@code /dashboard}) and its event stream ({@code /admin/stream}).
 *
 * <p>May use {@code admission}, {@code http}, {@code live} and {@code observe}. Public types are
 * internal to the server module, public only for its wiring (not API).
 */
package dev.sluice.server.admin;
