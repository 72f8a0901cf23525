/**
 * Distributed low-rate floods and the response to them: a {@link
 * dev.sluice.adaptive.flood.FloodDetector} per tier scores aggregate demand against its EWMA
 * baseline together with the distinct active clients (an HLL sketch) and the arrival of never-seen
 * clients ({@link dev.sluice.adaptive.flood.SeenClients}, a fixed-size table), and finds heavy
 * hitters with a frequent-items sketch; a {@link dev.sluice.adaptive.flood.FloodResponse} turns the
 * scores into actions on the admission path (a capped share for new or unproven clients, a smaller
 * burst and a higher token cost for offenders), ramps them back once the score falls, and records
 * each anomaly as a {@link dev.sluice.adaptive.flood.FloodEvent}. Its spike and drift watch
 * ({@link dev.sluice.adaptive.flood.WatchSettings}) scores each tier's demand and each heavy
 * client's demand against the rest's with the detectors of {@code dev.sluice.adaptive.anomaly},
 * flagging clients as offenders and tiers as alerts. Every class is a pure function of
 * the requests it is shown and the injected clock; memory is bounded whatever the number of keys.
 */
package dev.sluice.adaptive.flood;
