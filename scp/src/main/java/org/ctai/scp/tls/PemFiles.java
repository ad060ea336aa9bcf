package org.ctai.scp.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys in PEM files as OpenSSL writes them. Keys: PKCS#8 ({@code BEGIN PRIVATE KEY}, what
 * {@code openssl genpkey} and {@code openssl req -newkey} write), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) and SEC1 EC
 * ({@code BEGIN EC PRIVATE KEY}, what {@code openssl ecparam -genkey} writes). Encrypted keys are refused: the node
 * would need the password in its configuration, which protects nothing that the key file's permissions do not.
 * Messages name the file and what is wrong, never key material. Stateless; thread-safe.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01,
            0x05, 0x00};
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemFiles() {
    }

    /** Every certificate in the file, in file order (a leaf first, then its chain; or a bundle of trusted ones). */
    public static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (Block b : blocks(file)) {
            if (b.type().equals("CERTIFICATE") || b.type().equals("TRUSTED CERTIFICATE")) {
                out.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(b.der())));
            }
        }
        if (out.isEmpty()) throw new GeneralSecurityException("no BEGIN CERTIFICATE block in " + file);
        return out;
    }

    /** The first private key in the file. */
    public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        for (Block b : blocks(file)) {
            switch (b.type()) {
                case "PRIVATE KEY":
                    return pkcs8(b.der(), file);
                case "RSA PRIVATE KEY":
                    if (b.encrypted()) throw encrypted(file);
                    return pkcs8(sequence(concat(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, octetString(b.der()))), file);
                case "EC PRIVATE KEY":
                    if (b.encrypted()) throw encrypted(file);
                    byte[] curve = sec1Curve(b.der(), file);
                    return pkcs8(sequence(concat(new byte[] {0x02, 0x01, 0x00}, sequence(concat(EC_PUBLIC_KEY_OID, curve)), octetString(b.der()))), file);
                case "ENCRYPTED PRIVATE KEY":
                    throw encrypted(file);
                default:
                    // certificates and EC PARAMETERS may share the file
            }
        }
        throw new GeneralSecurityException("no BEGIN PRIVATE KEY (or RSA/EC PRIVATE KEY) block in " + file);
    }

    /** Whether {@code key} is the private half of {@code certificate}'s public key (a test signature). */
    public static boolean matches(PrivateKey key, X509Certificate certificate) {
        PublicKey pub = certificate.getPublicKey();
        String algorithm = switch (pub.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null || !key.getAlgorithm().equals(pub.getAlgorithm())) return algorithm == null;
        try {
            byte[] probe = "ctai key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Who besides the owner may read the file, as {@code ls -l} shows it, or empty if nobody (or the file system has no
     * POSIX permissions).
     */
    public static Optional<String> readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                return Optional.of(PosixFilePermissions.toString(p));
            }
        } catch (UnsupportedOperationException | IOException e) {
            // no POSIX permissions to judge by
        }
        return Optional.empty();
    }

    private record Block(String type, byte[] der, boolean encrypted) { }

    private static List<Block> blocks(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            StringBuilder base64 = new StringBuilder();
            boolean encrypted = false;
            for (String line : m.group(2).split("\r?\n")) {
                String t = line.trim();
                if (t.contains(":")) {
                    // RFC 1421 headers of traditional OpenSSL keys (Proc-Type: 4,ENCRYPTED; DEK-Info: ...)
                    if (t.startsWith("Proc-Type:") && t.contains("ENCRYPTED")) encrypted = true;
                    continue;
                }
                base64.append(t);
            }
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(base64.toString()), encrypted));
            } catch (IllegalArgumentException e) {
                throw new IOException("the " + m.group(1) + " block in " + file + " is not valid base64");
            }
        }
        return out;
    }

    private static PrivateKey pkcs8(byte[] der, Path file) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("the private key in " + file + " is not an RSA, EC or Ed25519 key the JVM can read");
    }

    private static GeneralSecurityException encrypted(Path file) {
        return new GeneralSecurityException("the private key in " + file + " is encrypted, which the node does not support; "
                + "write it unencrypted (openssl pkey -in KEY -out KEY.plain) and protect the file with chmod 600");
    }

    /** The named-curve OID (tag, length and value) of a SEC1 ECPrivateKey: [0] parameters, after version and key. */
    private static byte[] sec1Curve(byte[] der, Path file) throws GeneralSecurityException {
        try {
            int[] pos = {0};
            expect(der, pos, 0x30);
            int end = length(der, pos) + pos[0];
            expect(der, pos, 0x02);
            int versionLength = length(der, pos); // not "pos[0] += length(...)": Java reads pos[0] before the call
            pos[0] += versionLength;
            expect(der, pos, 0x04);
            int keyLength = length(der, pos);
            pos[0] += keyLength;
            while (pos[0] < end) {
                int tag = der[pos[0]++] & 0xff;
                int len = length(der, pos);
                if (tag == 0xa0) {
                    int oidStart = pos[0];
                    expect(der, pos, 0x06);
                    int oidLen = length(der, pos);
                    byte[] oid = new byte[pos[0] + oidLen - oidStart];
                    System.arraycopy(der, oidStart, oid, 0, oid.length);
                    return oid;
                }
                pos[0] += len;
            }
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            throw new GeneralSecurityException("the EC PRIVATE KEY in " + file + " is malformed");
        }
        throw new GeneralSecurityException("the EC PRIVATE KEY in " + file + " names no curve; write it as PKCS#8 (openssl pkey -in KEY -out KEY.p8)");
    }

    private static void expect(byte[] der, int[] pos, int tag) {
        if ((der[pos[0]++] & 0xff) != tag) throw new IllegalArgumentException("unexpected DER tag");
    }

    private static int length(byte[] der, int[] pos) {
        int first = der[pos[0]++] & 0xff;
        if (first < 0x80) return first;
        int n = first & 0x7f;
        if (n > 3) throw new IllegalArgumentException("DER length too long");
        int len = 0;
        for (int i = 0; i < n; i++) len = (len << 8) | (der[pos[0]++] & 0xff);
        return len;
    }

    private static byte[] sequence(byte[] content) {
        return tlv(0x30, content);
    }

    private static byte[] octetString(byte[] content) {
        return tlv(0x04, content);
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
