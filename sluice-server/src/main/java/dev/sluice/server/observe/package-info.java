/**
 * What the server shows of itself: Prometheus meters, the throttle log, the request log for
 * training, per-second budgets of log lines and the wall clock of log records; the live
 * dashboard's interval latencies and top clients; the OpenTelemetry traces of edge requests.
 *
 * <p>Uses nothing in the server but the public {@code RequestLogOptions} (and, from {@code
 * sluice-config}, {@code ObservabilityConfig}); the request log's lines
 * and their encoder come from {@code sluice-requestlog}, shared with the simulator. Public types are internal
 * to the server module (not API).
 */
package dev.sluice.server.observe;
