/**
 * {@code sluice demo}: the story (a scenario YAML the simulator and the live run share), the demo
 * upstream (a rating API on real HTTP whose workers and service times come from the simulator's
 * backend model), the live run of upstream + Sluice + load driver on loopback ports, and the HTML
 * report.
 */
package dev.sluice.cli.demo;
