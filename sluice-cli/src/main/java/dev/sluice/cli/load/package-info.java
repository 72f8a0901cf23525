/**
 * The open-model HTTP load driver behind {@code sluice bench} and {@code sluice demo}: sources send
 * at constant arrival rates over real sockets (Armeria's client, HTTP/1.1), each request on its
 * intended send time and its latency measured from that time, so a slow target cannot slow the
 * driver down and hide its own latency (coordinated omission); client ids are drawn by Zipf and sent
 * in a header; latencies go to HdrHistograms per phase and per second, statuses are counted, and a
 * driver that fell behind its schedule says so. Also the small Prometheus text reader that samples a
 * Sluice admin port while the load runs.
 */
package dev.sluice.cli.load;
