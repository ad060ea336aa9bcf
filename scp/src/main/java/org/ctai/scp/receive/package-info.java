/**
 * DICOM receive: {@link org.ctai.scp.receive.DicomReceiver} is the public face (open, start, port, stop). It vets
 * associations, negotiates presentation contexts, streams each instance into the spool and has it committed
 * (or, with {@code data.fsync=false}, indexed right after) before the C-STORE response. Spool, store, intake and
 * the wire protocol are package-private.
 */
package org.ctai.scp.receive;
