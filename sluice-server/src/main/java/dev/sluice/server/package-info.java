/**
 * The Sluice edge server: {@link dev.sluice.server.SluiceServer} runs an edge port on Netty (the
 * reverse proxy for admitted requests, {@code POST /v1/decisions} and {@code POST /v1/feedback},
 * behind a strict HTTP/1.1 codec) and an admin port on Armeria (health, Prometheus metrics,
 * config read and hot reload, bucket inspection), writes structured JSON logs and an optional JSON
 * Lines request log for training. Every decision goes through one admission path and one bucket
 * store, local or Redis. Public types are the server and its options; everything else here is
 * package-private.
 */
package dev.sluice.server;
