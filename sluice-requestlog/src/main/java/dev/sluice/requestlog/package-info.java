/**
 * The request log's line, shared by every writer of it: {@link dev.sluice.requestlog.RequestLogRecord}
 * is one line of schema version {@value dev.sluice.requestlog.RequestLogRecord#VERSION} with the one
 * JSON encoder of the format ({@code docs/request-log.md}), and {@link
 * dev.sluice.requestlog.DecisionIds} names decisions so that outcome lines join them. The server's
 * request log ({@code sluice serve --request-log}) and the simulator's ({@code sluice simulate
 * --request-log}) both write through it, so the two cannot drift apart. Depends on the JDK only.
 */
package dev.sluice.requestlog;
