/**
 * The {@code sluice} command line: {@link dev.sluice.cli.Main} is the top-level picocli command and
 * the runnable jar's entry point, and each subcommand ({@code check-config}, and later {@code
 * serve}, {@code simulate}, {@code demo}, ...) is its own package-private class registered in
 * {@code Main}'s {@code subcommands} list. Commands write through picocli's {@code getOut()} and
 * {@code getErr()} so tests can run them in-process and capture both streams.
 */
package dev.sluice.cli;
