/**
 * What changes while the server runs: the config (swapped atomically on a reload, from the admin
 * API or a watched file) and the adaptive control loop that moves the bucket store's limits.
 *
 * <p>May use {@code admission} (identity rules), {@code edge} (the upstream pool a config opens)
 * and {@code observe}. Public types are internal to the server module (not API).
 */
package dev.sluice.server.live;
