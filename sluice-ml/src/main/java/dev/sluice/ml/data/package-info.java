/**
 * Reading traffic records into memory, tolerantly: Sluice request logs (JSON Lines, every schema
 * version so far and newer ones whose known fields parse), Apache/nginx combined and common access
 * logs, the Azure LLM inference traces, {@code timestamp,value} series and per-second count files
 * such as the shipped NASA trace. Every reader counts the lines it could not use in a {@link
 * dev.sluice.ml.data.ReadReport} and never fails on a bad line. {@link dev.sluice.ml.data.Series}
 * is a regular time series; {@link dev.sluice.ml.data.RequestEvent} one request.
 */
package dev.sluice.ml.data;
