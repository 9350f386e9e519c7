package dev.sluice.cli;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/**
 * Where {@code sluice run} in step mode gets its answers when no terminal asks them. Under cron or CI stdin is empty or
 * closed, and step mode used to read that as "quit" and exit 0 having committed nothing; piped answers
 * ({@code printf 'c\nc\n' | sluice run …}) are a way of running it that must keep working. So before anything runs,
 * a stdin that is not a terminal is peeked: at its end, the run is refused (usage) naming the flags to add; otherwise
 * the byte read goes back and the answers are read as before. An answer stream that ends mid-run is refused the same
 * way by the {@code LineDecider} this advice is given to.
 */
final class StepAnswers {
    /** What to do instead, ending every refusal for want of answers. */
    static final String ADVICE = "Without a terminal, add --yes (commit each step whose expectations hold) or --dry-run (run "
            + "every step and roll it back); to answer from a script, give one answer per line on stdin for each question (c, r, s or q; y or n where a step asks to go ahead).";

    private StepAnswers() {
    }

    /**
     * Refuses step mode when its answers would come from a stdin that holds none; otherwise makes sure the byte peeked
     * is read again (the run reads {@code Main.input()} afterwards). A terminal is never peeked: the operator types.
     */
    static void requireSome() {
        InputStream in = Main.input();
        if (in == System.in && (ConsoleOptions.interactive() || stdinIsTerminal())) {
            return;
        }
        PushbackInputStream peeked = new PushbackInputStream(in, 1);
        int first;
        try {
            first = peeked.read();
        } catch (IOException e) {
            first = -1; // unreadable reads as empty: refused, never taken for an answer
        }
        if (first < 0) {
            throw new SluiceException(ErrorCode.USAGE, "Step mode asks a question after each step, but stdin is not a terminal and "
                    + "holds no answers (empty or closed, as under cron or CI); nothing was run or written. " + ADVICE);
        }
        try {
            peeked.unread(first);
        } catch (IOException e) {
            throw new IllegalStateException(e); // a pushback buffer of one byte always takes back the one byte read
        }
        Main.useInput(peeked);
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
