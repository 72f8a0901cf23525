/**
 * What the server shows of itself: Prometheus meters, the throttle log, the request log for
 * training, per-second budgets of log lines and the wall clock of log records.
 *
 * <p>Uses nothing in the server but the public {@code RequestLogOptions}. Public types are internal
 * to the server module (not API).
 */
package dev.sluice.server.observe;
