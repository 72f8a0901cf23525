/**
 * The Sluice edge server: {@link dev.sluice.server.SluiceServer} runs an edge port on Netty (the
 * reverse proxy for admitted requests, {@code POST /v1/decisions} and {@code POST /v1/feedback},
 * behind a strict HTTP/1.1 codec) and an admin port on Armeria (health, Prometheus metrics,
 * config read and hot reload, bucket inspection), writes structured JSON logs and an optional JSON
 * Lines request log for training, and exposes what it measures about the upstream through {@link
 * dev.sluice.server.UpstreamSignals}. Public types are the server, its options and the signals;
 * everything else here is package-private.
 */
package dev.sluice.server;
