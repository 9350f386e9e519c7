package dev.sluice.tier;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * SHA-256 on a second thread, fed in large chunks: the reading thread encodes rows into one buffer while this one hashes
 * the previous buffer (the same overlap the CLI's {@code sqlite3 … | sha256sum} pipeline gets from two processes).
 * A fixed pool of buffers is recycled, so memory stays flat whatever the table size.
 */
final class ChunkHasher implements AutoCloseable, Checksummer.ChunkSink {
    static final int CHUNK = 1 << 18;
    private static final int POOL = 3;

    private static final class Chunk {
        final byte[] bytes;
        final int length;

        Chunk(byte[] bytes, int length) {
            this.bytes = bytes;
            this.length = length;
        }
    }

    private static final Chunk END = new Chunk(new byte[0], -1);

    private final MessageDigest md = Checksummer.sha256();
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(POOL + 1);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(POOL);
    private final Thread thread;
    private volatile Throwable failure;
    private boolean ended;

    ChunkHasher() {
        for (int i = 0; i < POOL - 1; i++) {
            free.add(new byte[CHUNK + 8192]);
        }
        thread = new Thread(this::run, "sluice-checksum-sha256");
        thread.setDaemon(true);
        thread.start();
    }

    /** A buffer for the reader to fill first. */
    byte[] firstBuffer() {
        return new byte[CHUNK + 8192];
    }

    private void run() {
        try {
            while (true) {
                Chunk c = full.take();
                if (c == END) {
                    return;
                }
                md.update(c.bytes, 0, c.length);
                free.offer(c.bytes);
            }
        } catch (Throwable t) {
            failure = t;
            free.offer(new byte[CHUNK + 8192]); // never leave the reader waiting for a buffer
        }
    }

    /** Hands a filled buffer over and returns an empty one to fill next (waits while the hasher is behind). */
    @Override
    public byte[] submit(byte[] buf, int len) {
        check();
        try {
            full.put(new Chunk(buf, len));
            byte[] next = free.take();
            check();
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("checksum interrupted", e);
        }
    }

    /** Hashes the last bytes, waits for the hasher and returns the hex digest. */
    String finish(byte[] buf, int len) {
        try {
            full.put(new Chunk(buf, len));
            full.put(END);
            ended = true;
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("checksum interrupted", e);
        }
        check();
        return HexFormat.of().formatHex(md.digest());
    }

    private void check() {
        if (failure != null) {
            throw new IllegalStateException("SHA-256 thread failed: " + failure, failure);
        }
    }

    /** Stops the hasher when the read failed or was cancelled; harmless after {@link #finish}. */
    @Override
    public void close() {
        if (!ended) {
            ended = true;
            full.clear();
            full.offer(END);
        }
    }
}
