/**
 * Admission: who the client of a request is and which tier ({@link
 * dev.sluice.server.admission.Identity}), the one decision path every transport shares ({@link
 * dev.sluice.server.admission.Admission}, which also releases the permits of concurrency levels),
 * opening the bucket store, local or Redis ({@link dev.sluice.server.admission.Stores}), and
 * expiring the permits nobody released ({@link dev.sluice.server.admission.PermitExpiry}).
 * Transport-neutral: the transports render its verdicts.
 *
 * <p>May use {@code http}, {@code observe} and {@code live} (the control loop's counters). Public
 * types are internal to the server module (not API).
 */
package dev.sluice.server.admission;
