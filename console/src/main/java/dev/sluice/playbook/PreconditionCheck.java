package dev.sluice.playbook;

import dev.sluice.dsl.Session;
import dev.sluice.dsl.Sluice;
import dev.sluice.error.SluiceException;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates {@code requires} blocks into report entries. Reads only; the session is made current while the blocks run
 * so that a {@code check { … }} closure can use the DSL as a step body does.
 */
final class PreconditionCheck {
    private PreconditionCheck() {
    }

    static String scope(Step s) {
        return "step " + s.index() + " '" + s.name() + "'";
    }

    /**
     * Entries of {@code blocks}; with {@code deferLater}, the preconditions of blocks marked later are listed as deferred
     * and not checked (the run checks them right before their step).
     */
    static List<PreconditionReport.Entry> evaluate(Session session, String scope, List<Requires> blocks, boolean deferLater) {
        List<PreconditionReport.Entry> out = new ArrayList<>();
        if (blocks.isEmpty()) {
            return out;
        }
        try (Sluice.Binding bound = Sluice.bind(session)) { // the blocks' Groovy calls the static DSL
            for (Requires b : blocks) {
                List<Precondition> declared;
                try {
                    declared = b.declarations().declare();
                } catch (RuntimeException e) {
                    String what = "requires block at " + b.where();
                    out.add(new PreconditionReport.Entry(scope, what, b.later() && deferLater ? null : Precondition.Outcome.fails(
                            "an error: " + message(e), "a block that evaluates",
                            "Check the names it uses (tiers and parameters are bound by name).")));
                    continue;
                }
                for (Precondition p : declared) {
                    out.add(new PreconditionReport.Entry(scope, p.what(), b.later() && deferLater ? null : check(session, p)));
                }
            }
        }
        return out;
    }

    private static Precondition.Outcome check(Session session, Precondition p) {
        try {
            return p.check(session);
        } catch (RuntimeException e) {
            return Precondition.Outcome.fails("an error: " + message(e), "it to hold", "Fix the cause, then run again.");
        }
    }

    private static String message(Throwable e) {
        String m = e instanceof SluiceException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m).replaceFirst("\\.$", "");
    }
}
