/**
 * The virtual-time simulator behind {@code sluice simulate}: a discrete-event engine that runs
 * the real {@link dev.sluice.core.Limiter} and the real adaptive control loop against a modelled
 * backend (c workers, FIFO queue, lognormal or bimodal service, deadlines, overload errors,
 * scheduled capacity changes) and modelled clients (open-loop Poisson arrivals with Zipf rates,
 * tiers, costs, retries with jitter and budgets, replayed traces; or closed-loop virtual users
 * with think time and k6-style stages). Netflix's concurrency-limits algorithms run beside Sluice's
 * policies as peers behind an in-flight gate. {@link dev.sluice.sim.ScenarioReader} reads scenario
 * files, {@link dev.sluice.sim.Experiment} runs policies over seeds (with the {@code static-best}
 * sweep), and {@link dev.sluice.sim.ReportWriter} writes {@code report.md}, {@code results.json},
 * per-run series and charts, scored against the ideal {@code min(offered, true capacity)} tokens
 * per second.
 */
package dev.sluice.sim;
