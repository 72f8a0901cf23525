/**
 * Streaming anomaly detectors: each {@link dev.sluice.adaptive.anomaly.Detector} turns one
 * series, a value per window with its timestamp from the injected clock, into a score in [0, 1]
 * (0.5 is the detector's own alarm line), in bounded memory and as a pure function of the samples
 * it was given. {@link dev.sluice.adaptive.anomaly.SpikeDetector} scores the residual against a
 * pluggable {@link dev.sluice.adaptive.anomaly.Baseline} forecast scaled by a robust {@link
 * dev.sluice.adaptive.anomaly.Spread}; {@link dev.sluice.adaptive.anomaly.CusumDetector} and {@link
 * dev.sluice.adaptive.anomaly.PageHinkleyDetector} catch slow drifts; {@link
 * dev.sluice.adaptive.anomaly.CombinedDetector} merges several into one scope's score and {@link
 * dev.sluice.adaptive.anomaly.HoldOffDetector} reports each alarm once. {@link
 * dev.sluice.adaptive.anomaly.Detectors} names the standard set. See docs/anomaly.md.
 */
package dev.sluice.adaptive.anomaly;
