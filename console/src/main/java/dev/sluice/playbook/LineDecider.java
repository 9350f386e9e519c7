package dev.sluice.playbook;

import dev.sluice.dsl.NonTransactional;
import java.io.BufferedReader;
import java.io.IOException;
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

    private String readLine() {
        try {
            return in.readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
