package dev.sluice.cli;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/**
 * Where {@code sluice run} in step mode gets its answers when no terminal asks them. Under cron or CI stdin is empty or
 * closed, and step mode used to read that as "quit" and exit 0 having committed nothing; piped answers
 * ({@code printf 'c\nc\n' | sluice run …}) and programs that read each question and then write its answer are ways of
 * running it that must keep working. So before anything runs, a stdin that is not a terminal is peeked for up to
 * {@link #PEEK_MILLIS} ms: at its end ({@code < /dev/null}, a closed pipe) the run is refused (usage) naming the flags
 * to add; a byte, or a pipe that stays silent (a program waiting for the first question), lets the run go on, and the
 * byte is read again as the start of the first answer. An answer stream that ends later is refused the same way by the
 * {@code LineDecider} this advice is given to.
 */
final class StepAnswers {
    /** What to do instead, ending every refusal for want of answers. */
    static final String ADVICE = "Without a terminal, add --yes (commit each step whose expectations hold) or --dry-run (run "
            + "every step and roll it back); to answer from a script, give one answer per line on stdin for each question "
            + "(c, r, s or q; y or n where a step asks to go ahead).";

    /** How long the peek waits: an empty or closed stdin answers at once; only a silent open pipe waits this long. */
    static final long PEEK_MILLIS = 500;

    private StepAnswers() {
    }

    /**
     * Refuses step mode when its answers would come from a stdin at its end; otherwise leaves {@code Main.input()} a
     * stream that gives the peeked byte first. A terminal is never peeked: the operator types.
     */
    static void requireSome() {
        requireSome("Step mode asks a question after each step", ADVICE);
    }

    /** As {@link #requireSome()}, for a run that asks {@code asks} and whose refusal ends with {@code advice}. */
    static void requireSome(String asks, String advice) {
        InputStream in = Main.input();
        if (in == System.in && (ConsoleOptions.interactive() || stdinIsTerminal())) {
            return;
        }
        FutureTask<Integer> first = new FutureTask<>(in::read);
        Thread reader = new Thread(first, "sluice-stdin-peek");
        reader.setDaemon(true); // a pipe that never speaks must not keep the JVM alive
        reader.start();
        int peeked;
        try {
            peeked = first.get(PEEK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            peeked = 0; // open and silent: a program that answers what it reads; the run's questions will wait for it
        } catch (ExecutionException e) {
            peeked = -1; // unreadable reads as empty: refused, never taken for an answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.CANCELLED, "Interrupted before the run started; nothing was run or written.");
        }
        if (peeked < 0) {
            throw new SluiceException(ErrorCode.USAGE, asks + ", but stdin is not a terminal and "
                    + "holds no answers (empty or closed, as under cron or CI); nothing was run or written. " + advice);
        }
        Main.useInput(new Peeked(in, first));
    }

    /** The answers: the byte the peek reads (or is still waiting for) first, then the rest of the stream. */
    private static final class Peeked extends InputStream {
        private final InputStream in;
        private FutureTask<Integer> first;

        Peeked(InputStream in, FutureTask<Integer> first) {
            this.in = in;
            this.first = first;
        }

        @Override
        public synchronized int read() throws IOException {
            if (first == null) {
                return in.read();
            }
            try {
                int b = first.get();
                first = null;
                return b;
            } catch (ExecutionException e) {
                first = null;
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for an answer");
            }
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (first == null) {
                return in.read(b, off, len);
            }
            int c = read();
            if (c < 0) {
                return -1;
            }
            b[off] = (byte) c;
            return 1;
        }

        @Override
        public synchronized int available() throws IOException {
            return first == null ? in.available() : first.isDone() ? 1 : 0;
        }
    }

    /**
     * Whether the process' stdin is a terminal even though stdout is not ({@code sluice run x | tee log}): JDK 17's
     * {@code System.console()} needs both, and a terminal must not be peeked (the run would wait for a keystroke
     * before showing anything). Asked of JLine's native providers; unknown counts as not a terminal.
     */
    private static boolean stdinIsTerminal() {
        for (String provider : new String[]{"jni", "ffm"}) {
            try {
                return TerminalProvider.load(provider).isSystemStream(SystemStream.Input);
            } catch (IOException | RuntimeException | LinkageError e) {
                // try the next provider
            }
        }
        return false;
    }
}
