package dev.sluice.tier;

/**
 * A table checksum computed while something else streams the rows (a copy to PostgreSQL hashes its source as it sends
 * it): values go in one at a time and are encoded by {@link Checksummer} itself (README.md, "Checksums"), and SHA-256
 * runs on a second thread ({@link ChunkHasher}), so the streaming thread only copies bytes. Memory is a few fixed
 * buffers. One thread feeds it; close it (also after {@link #finish}) to stop the hasher on failure.
 */
public final class ChecksumStream implements AutoCloseable {
    private final ChunkHasher hasher = new ChunkHasher();
    private final Checksummer enc = new Checksummer(null);
    private long rows;

    public ChecksumStream() {
        enc.startBuffer(hasher.firstBuffer());
    }

    public void nul() {
        enc.put(null);
    }

    public void integer(long v) {
        enc.putLong('I', v);
    }

    /** A real, canonical as in the checksum: NaN one bit pattern, -0.0 as 0.0. */
    public void real(double d) {
        enc.putReal(d);
    }

    /** Text as its UTF-8 bytes (null: zero-length). */
    public void text(byte[] utf8) {
        enc.putBytes('T', utf8);
    }

    /** A blob (null: zero-length). */
    public void blob(byte[] b) {
        enc.putBytes('B', b);
    }

    /** Any JDBC value, encoded as {@link Checksummer} encodes it. */
    public void value(Object v) {
        enc.put(v);
    }

    /** Ends a row; full buffers go to the hashing thread. */
    public void endRow() {
        rows++;
        if (enc.length() >= ChunkHasher.CHUNK) {
            enc.startBuffer(hasher.submit(enc.buffer(), enc.length()));
        }
    }

    /** The rows and SHA-256 of everything fed. */
    public Checksum finish() {
        return new Checksum(rows, hasher.finish(enc.buffer(), enc.length()));
    }

    @Override
    public void close() {
        hasher.close();
    }
}
