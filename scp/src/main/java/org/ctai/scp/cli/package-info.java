/**
 * The command line behind {@code ./ctai}: {@link org.ctai.scp.cli.Main} and its commands (run, demo, analyze,
 * phantom, resend, purge, hash-password).
 */
package org.ctai.scp.cli;
