/**
 * The node: {@link org.ctai.scp.Node} starts the database, the DICOM receiver, the series tracker, the workers,
 * the senders, retention and the web page in dependency order and stops them in reverse. Each sub-package is one
 * room: {@code config} (the validated configuration), {@code receive} (the C-STORE SCP and the spool),
 * {@code queue} (series completion, the job queue, the workers), {@code process} (segment, measure, write results),
 * {@code send} (the outbox and the C-STORE SCU), {@code storage} (the database and retention), {@code cli}
 * (the command line) and {@code demo} (the demo and its stand-in PACS).
 */
package org.ctai.scp;
