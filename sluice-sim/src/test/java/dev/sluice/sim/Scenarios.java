package dev.sluice.sim;

/** Small scenarios for tests, as YAML text. */
final class Scenarios {

  private Scenarios() {}

  /** A tiny scenario with retries, an outage, timeouts, two tiers and a cost class. */
  static final String BUSY = """
      name: busy
      duration: 40s
      slo: 200ms
      backend:
        workers: 4
        service: {distribution: bimodal, mean: 40ms, cv: 0.5, slow-fraction: 0.1, slow-mean: 400ms}
        deadline: 500ms
        error-rate: 0.01
        overload-errors: 0.01
        schedule:
          - {at: 10s, down: true}
          - {at: 15s, down: false}
          - {at: 20s, workers: 2, service-factor: 2}
      limiter:
        global-burst: 200ms
        tiers:
          gold: {per-client: {burst: 10, rate: 20/s}, share: 0.6}
          free: {per-client: {burst: 5, rate: 5/s}, share: 0.4}
      sources:
        - name: a
          clients: 30
          zipf: 1.1
          tier: gold
          costs: [{cost: 1, weight: 9}, {cost: 5, weight: 1}]
          rate: [{for: 20s, from: 0.5x, to: 3x}, {for: 20s, rate: 1.5x}]
          retry: {max-attempts: 4, base: 20ms, budget: 0.5}
        - name: b
          clients: 5
          tier: free
          compliant: false
          rate: [{for: 40s, rate: 30}]
          retry: {max-attempts: 3, base: 10ms, respect-retry-after: false}
      """;

  static Scenario busy() {
    return ScenarioReader.parse(BUSY, "busy", null, 1, "busy.yaml");
  }
}
