/**
 * Sending results: the {@link org.ctai.scp.send.Outbox} (one row per result per destination, leased, retried,
 * dead-lettered), {@link org.ctai.scp.send.Senders} that work it and the C-STORE SCU
 * {@link org.ctai.scp.send.DicomSender}.
 */
package org.ctai.scp.send;
