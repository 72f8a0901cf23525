/**
 * Placeholder package until its issue lands; see DESIGN.md for what this module will hold.
 */
package dev.sluice.redis;
