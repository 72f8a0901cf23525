/**
 * Envoy's global rate-limit service for Sluice: {@code envoy.service.ratelimit.v3.RateLimitService}
 * from the vendored {@code rls.proto} (generated classes under {@code io.envoyproxy.envoy}),
 * answered by {@link dev.sluice.envoy.RateLimitGrpcService} on token buckets, over the limits of
 * envoyproxy/ratelimit config files ({@link dev.sluice.envoy.EnvoyConfigReader} into {@link
 * dev.sluice.envoy.EnvoyLimits}), served on its own HTTP/2 port (cleartext or TLS) with hot reload
 * by {@link dev.sluice.envoy.EnvoyRateLimitServer}. Rules marked {@code rate_limit.adaptive} follow
 * the edge's control loop ({@link dev.sluice.envoy.EdgeScale}); each descriptor's outcome reaches a
 * listener as an {@link dev.sluice.envoy.EnvoyDecision} (metrics, the request log).
 */
package dev.sluice.envoy;
