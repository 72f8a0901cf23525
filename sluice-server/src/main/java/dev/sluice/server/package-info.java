/**
 * The Sluice edge server on Armeria: {@link dev.sluice.server.SluiceServer} runs an edge port (the
 * reverse proxy for admitted requests, {@code POST /v1/decisions} and {@code POST /v1/feedback})
 * and an admin port (health, Prometheus metrics, config read and hot reload, bucket inspection),
 * writes structured JSON logs and an optional JSON Lines request log for training, and exposes
 * what it measures about the upstream through {@link dev.sluice.server.UpstreamSignals}. Public
 * types are the server, its options and the signals; everything else here is package-private.
 */
package dev.sluice.server;
