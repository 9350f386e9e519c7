package dev.sluice.playbook;

import dev.sluice.dsl.NonTransactional;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Step mode on a line-oriented terminal (or piped input): shows the question, reads one answer per line. End of input
 * never commits: on a terminal (Ctrl-D) it counts as quit; given {@code whenAnswersRunOut}, as for answers piped from
 * a script, it is refused as a usage error ending with that advice, so a script that runs out of answers does not
 * end as if the operator had chosen to stop.
 */
public final class LineDecider implements Decider {
    private final BufferedReader in;
    private final PrintWriter out;
    private final String whenAnswersRunOut;

    public LineDecider(BufferedReader in, PrintWriter out) {
        this(in, out, null);
    }

    /** As {@link #LineDecider(BufferedReader, PrintWriter)}; at the end of input, refuses with {@code whenAnswersRunOut} (null: quit). */
    public LineDecider(BufferedReader in, PrintWriter out, String whenAnswersRunOut) {
        this.in = in;
        this.out = out;
        this.whenAnswersRunOut = whenAnswersRunOut;
    }

    /** The end of input where an answer was due: null (quit or decline) unless this decider refuses it. */
    private SluiceException ranOut(String where) {
        out.println();
        out.flush();
        return whenAnswersRunOut == null ? null : new SluiceException(ErrorCode.USAGE, "The answers on stdin ran out " + where
                + ": it is rolled back and stays pending, and steps committed before it stay committed. " + whenAnswersRunOut);
    }

    @Override
    public Decision decide(StepResult result) {
        while (true) {
            out.print((result.expectationsHold() ? "" : "Some expectations FAILED. ")
                    + "[c]ommit, [r]ollback, [i]nspect, [s]kip, [q]uit? ");
            out.flush();
            String line = readLine();
            if (line == null) {
                SluiceException refused = ranOut("at the question after step " + result.position() + "/" + result.total()
                        + " '" + result.step().name() + "'");
                if (refused != null) {
                    throw refused;
                }
                return Decision.QUIT;
            }
            switch (line.strip().toLowerCase(Locale.ROOT)) {
                case "c", "commit" -> {
                    return Decision.COMMIT;
                }
                case "r", "rollback" -> {
                    return Decision.ROLLBACK;
                }
                case "i", "inspect" -> {
                    return Decision.INSPECT;
                }
                case "s", "skip" -> {
                    return Decision.SKIP;
                }
                case "q", "quit" -> {
                    return Decision.QUIT;
                }
                default -> {
                    if (whenAnswersRunOut != null) {
                        // A script's answers are wrong from here on (or stdin is no answer stream at all): asking again
                        // would read on through whatever it holds.
                        out.println();
                        throw new SluiceException(ErrorCode.USAGE, "'" + shown(line) + "' is not an answer (c, r, i, s or q) to the "
                                + "question after step " + result.position() + "/" + result.total() + " '" + result.step().name()
                                + "': it is rolled back and stays pending, and steps committed before it stay committed. " + whenAnswersRunOut);
                    }
                    out.println("Answer c, r, i, s or q.");
                }
            }
        }
    }

    @Override
    public boolean confirm(Step step, NonTransactional.Action action) {
        out.print("Step '" + step.name() + "' wants to " + action.description() + " (not transactional: a rollback cannot undo it). Go ahead? [y/N] ");
        out.flush();
        String line = readLine();
        if (line == null && whenAnswersRunOut != null) {
            throw ranOut("when step '" + step.name() + "' asked to " + action.description());
        }
        return line != null && (line.strip().equalsIgnoreCase("y") || line.strip().equalsIgnoreCase("yes"));
    }

    @Override
    public boolean settle(Step step, String question) {
        out.print(question + " [y/N] ");
        out.flush();
        String line = readLine();
        if (line == null && whenAnswersRunOut != null) {
            throw new SluiceException(ErrorCode.USAGE, "The answers on stdin ran out at a question before the run (step '"
                    + step.name() + "'); nothing was run. " + whenAnswersRunOut);
        }
        return line != null && (line.strip().equalsIgnoreCase("y") || line.strip().equalsIgnoreCase("yes"));
    }

    /** An answer as it can be shown in one line: printable, at most 20 characters. */
    private static String shown(String line) {
        String s = line.strip().replaceAll("\\p{C}", "?");
        return s.length() > 20 ? s.substring(0, 20) + "…" : s;
    }

    /**
     * One answer. The read runs on a thread of its own and this thread waits for it: a blocking read of stdin cannot be
     * interrupted, and a cancel (Ctrl-C, SIGTERM) interrupts this thread to stop the run at its question. Each read ends
     * before the next starts, so answers (and the inspect console after them) are consumed in order.
     */
    private String readLine() {
        java.util.concurrent.FutureTask<String> read = new java.util.concurrent.FutureTask<>(in::readLine);
        Thread reader = new Thread(read, "sluice-answer");
        reader.setDaemon(true);
        reader.start();
        try {
            return read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.CANCELLED, "Interrupted while waiting for an answer.");
        } catch (java.util.concurrent.ExecutionException e) {
            return null; // an I/O error reads as the end of input: quit, never commit
        }
    }
}
