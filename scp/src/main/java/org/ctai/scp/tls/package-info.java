/**
 * DICOM over TLS (PS3.15 Annex B, the BCP 195 profiles): PEM certificates and keys read as OpenSSL writes them, the
 * node's one TLS policy (TLS 1.2 and 1.3, the BCP 195 cipher suites), and failures explained by the certificate that
 * caused them. Used by the receiver's TLS port and by senders to TLS destinations; knows nothing of DICOM itself.
 */
package org.ctai.scp.tls;
