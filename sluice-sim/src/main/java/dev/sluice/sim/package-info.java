/**
 * The virtual-time simulator behind {@code sluice simulate}: a discrete-event engine that runs
 * the real {@link dev.sluice.core.Limiter} and the real adaptive control loop against a modelled
 * backend (c workers, FIFO queue, lognormal or bimodal service, deadlines, overload errors,
 * scheduled capacity changes) and modelled clients (Poisson arrivals, Zipf rates, tiers, costs,
 * retries with jitter and budgets, replayed traces). {@link dev.sluice.sim.ScenarioReader} reads
 * scenario files, {@link dev.sluice.sim.Experiment} runs policies over seeds, and
 * {@link dev.sluice.sim.ReportWriter} writes {@code report.md}, {@code results.json}, per-run
 * series and charts.
 */
package dev.sluice.sim;
