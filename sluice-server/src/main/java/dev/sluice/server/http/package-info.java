/**
 * What both ports say alike: RFC 9457 problem bodies, request ids, and the JSON writing every body
 * goes through. Each port renders a problem its own way.
 *
 * <p>Uses nothing else in the server. Public types are internal to the server module (not API).
 */
package dev.sluice.server.http;
