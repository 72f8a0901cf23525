/**
 * Envoy's global rate-limit service for Sluice: {@code envoy.service.ratelimit.v3.RateLimitService}
 * from the vendored {@code rls.proto} (generated classes under {@code io.envoyproxy.envoy}),
 * answered by {@link dev.sluice.envoy.RateLimitGrpcService} on token buckets, over the limits of
 * envoyproxy/ratelimit config files ({@link dev.sluice.envoy.EnvoyConfigReader} into {@link
 * dev.sluice.envoy.EnvoyLimits}), served on its own HTTP/2 port with hot reload by {@link
 * dev.sluice.envoy.EnvoyRateLimitServer}.
 */
package dev.sluice.envoy;
