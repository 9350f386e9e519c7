package dev.sluice.tier;

/**
 * A table checksum computed while something else streams the rows (a copy to PostgreSQL hashes its source as it sends
 * it): values go in one at a time, in the encoding of {@link Checksummer} (README.md, "Checksums"), and SHA-256 runs on a
 * second thread ({@link ChunkHasher}), so the streaming thread only copies bytes. Memory is a few fixed buffers.
 * One thread feeds it; close it (also after {@link #finish}) to stop the hasher on failure.
 */
public final class ChecksumStream implements AutoCloseable {
    private final ChunkHasher hasher = new ChunkHasher();
    private byte[] buf = hasher.firstBuffer();
    private int len;
    private long rows;

    public void nul() {
        ensure(1);
        buf[len++] = 'N';
    }

    public void integer(long v) {
        putLong('I', v);
    }

    /** A real, canonical as in the checksum: NaN one bit pattern, -0.0 as 0.0. */
    public void real(double d) {
        if (Double.isNaN(d)) {
            d = Double.NaN;
        } else if (d == 0.0) {
            d = 0.0;
        }
        putLong('R', Double.doubleToLongBits(d));
    }

    /** Text as its UTF-8 bytes (null: zero-length). */
    public void text(byte[] utf8) {
        putBytes('T', utf8);
    }

    /** A blob (null: zero-length). */
    public void blob(byte[] b) {
        putBytes('B', b);
    }

    /** Any JDBC value, encoded as {@link Checksummer} encodes it. */
    public void value(Object v) {
        byte[] one = Checksummer.encodeRow(v);
        ensure(one.length);
        System.arraycopy(one, 0, buf, len, one.length);
        len += one.length;
    }

    /** Ends a row; full buffers go to the hashing thread. */
    public void endRow() {
        rows++;
        if (len >= ChunkHasher.CHUNK) {
            buf = hasher.submit(buf, len);
            len = 0;
        }
    }

    /** The rows and SHA-256 of everything fed. */
    public Checksum finish() {
        return new Checksum(rows, hasher.finish(buf, len));
    }

    @Override
    public void close() {
        hasher.close();
    }

    private void putLong(char tag, long x) {
        ensure(9);
        buf[len++] = (byte) tag;
        for (int s = 56; s >= 0; s -= 8) {
            buf[len++] = (byte) (x >>> s);
        }
    }

    private void putBytes(char tag, byte[] b) {
        int n = b == null ? 0 : b.length;
        ensure(5 + n);
        buf[len++] = (byte) tag;
        buf[len++] = (byte) (n >>> 24);
        buf[len++] = (byte) (n >>> 16);
        buf[len++] = (byte) (n >>> 8);
        buf[len++] = (byte) n;
        if (n > 0) {
            System.arraycopy(b, 0, buf, len, n);
            len += n;
        }
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
