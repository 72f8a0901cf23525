/**
 * The Sluice edge server: {@link dev.sluice.server.SluiceServer} runs an edge port on Netty (the
 * reverse proxy for admitted requests, {@code POST /v1/decisions} and {@code POST /v1/feedback},
 * behind a strict HTTP/1.1 codec) and an admin port on Armeria (health, Prometheus metrics,
 * config read and hot reload, bucket inspection), writes structured JSON logs and an optional JSON
 * Lines request log for training. Every decision goes through one admission path and one bucket
 * store, local or Redis.
 *
 * <p>This package holds the module's API ({@code SluiceServer}, {@code ServerOptions}, {@code
 * RequestLogOptions}, and {@code JsonLogging}, the production logging {@code sluice serve} installs)
 * and the wiring. The rest is in one package per room, whose public types are internal to the
 * module, not API:
 *
 * <ul>
 *   <li>{@code edge}: the edge port on Netty (connection, codec, exchanges, upstream pool); no
 *       Armeria type;
 *   <li>{@code admission}: who the client is and which tier, the one admission path, opening the
 *       bucket store;
 *   <li>{@code admin}: the admin port on Armeria;
 *   <li>{@code live}: the running config (reload, file watch) and the running control loop;
 *   <li>{@code observe}: meters, throttle log, request log, log budgets;
 *   <li>{@code http}: what both ports say alike: problem bodies, request ids, JSON writing.
 * </ul>
 *
 * <p>{@code docs/architecture.md} says what each room may use and walks a request through them.
 */
package dev.sluice.server;
