package dev.sluice.playbook;

import dev.sluice.dsl.NonTransactional;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Step mode on a line-oriented terminal (or piped input): shows the question, reads one answer per line. End of input
 * counts as quit, so a script that runs out of answers never commits by accident.
 */
public final class LineDecider implements Decider {
    private final BufferedReader in;
    private final PrintWriter out;

    public LineDecider(BufferedReader in, PrintWriter out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public Decision decide(StepResult result) {
        while (true) {
            out.print((result.expectationsHold() ? "" : "Some expectations FAILED. ")
                    + "[c]ommit, [r]ollback, [i]nspect, [s]kip, [q]uit? ");
            out.flush();
            String line = readLine();
            if (line == null) {
                out.println();
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
                default -> out.println("Answer c, r, i, s or q.");
            }
        }
    }

    @Override
    public boolean confirm(Step step, NonTransactional.Action action) {
        out.print("Step '" + step.name() + "' wants to " + action.description() + " (not transactional: a rollback cannot undo it). Go ahead? [y/N] ");
        out.flush();
        String line = readLine();
        return line != null && (line.strip().equalsIgnoreCase("y") || line.strip().equalsIgnoreCase("yes"));
    }

    @Override
    public boolean settle(Step step, String question) {
        out.print(question + " [y/N] ");
        out.flush();
        String line = readLine();
        return line != null && (line.strip().equalsIgnoreCase("y") || line.strip().equalsIgnoreCase("yes"));
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
