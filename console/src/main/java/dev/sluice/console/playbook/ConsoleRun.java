package dev.sluice.console.playbook;

import dev.sluice.dsl.NonTransactional;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.Step;

/**
 * The playbook run one console holds, shared by its playbook commands: loaded by {@code /run}, driven by {@code /next},
 * {@code /commit}, {@code /rollback}, {@code /skip}; rolled back and unlocked when the console ends. In the console that
 * {@code sluice run} opens to inspect a step the run is borrowed: it can be looked at, not driven.
 */
final class ConsoleRun implements AutoCloseable {
    private final boolean borrowed;
    private volatile PlaybookSession run; // read by a signal handler (cli ConsoleGuard)
    private NonTransactional gateBefore;
    private boolean gateInstalled;

    private ConsoleRun(PlaybookSession run, boolean borrowed) {
        this.run = run;
        this.borrowed = borrowed;
    }

    static ConsoleRun owned() {
        return new ConsoleRun(null, false);
    }

    static ConsoleRun borrowed(PlaybookSession run) {
        return new ConsoleRun(run, true);
    }

    /** The loaded run if this console owns it (not one borrowed from {@code sluice run}), else null. */
    PlaybookSession ownRun() {
        return borrowed ? null : run;
    }

    /** The loaded run, or null. */
    PlaybookSession run() {
        return run;
    }

    PlaybookSession require() {
        if (run == null) {
            throw new SluiceException(ErrorCode.USAGE, "No playbook is loaded. Load one with /run playbooks/NAME.groovy (Tab after /run lists them).");
        }
        return run;
    }

    /** The run, for a command that changes it; refused while inspecting a step of {@code sluice run}. */
    PlaybookSession drive(String command) {
        refuseWhileInspecting(command);
        return require();
    }

    /** Refuses a command that would change the run when the run belongs to {@code sluice run}. */
    void refuseWhileInspecting(String command) {
        if (borrowed) {
            Step open = run.current() == null ? null : run.current().step();
            throw new SluiceException(ErrorCode.USAGE, "/" + command + " is not available while inspecting"
                    + (open == null ? "" : " step '" + open.name() + "'") + " of 'sluice run'. Leave with /exit (or Ctrl-D) and answer its question.");
        }
    }

    /** One line on what comes next in the run. */
    static String nextLine(PlaybookSession run) {
        Step next = run.peek();
        return next == null ? "Nothing left to run: every selected step is applied or was handled (/steps lists them)."
                : "Next: step " + next.index() + " '" + next.name() + "'. /next runs it and leaves its transactions open.";
    }

    /** Replaces the loaded run (a step may not be open in it). */
    void load(PlaybookSession next) {
        close();
        run = next;
    }

    /**
     * Keeps the session's gate in line with the run: while a step is open, a non-transactional action typed at the prompt
     * is refused (it would run beside the step's open transactions); otherwise the previous gate is back.
     */
    void syncGate() {
        Session session = run == null ? null : run.session();
        boolean open = run != null && run.current() != null;
        if (open && !gateInstalled) {
            gateBefore = session.useNonTransactional(new OpenStepGate(run.current().step(), "/commit, /rollback or /skip it first"));
            gateInstalled = true;
        } else if (!open && gateInstalled) {
            session.useNonTransactional(gateBefore);
            gateInstalled = false;
            gateBefore = null;
        }
    }

    /** Ends an owned run: an open step is rolled back (with its rollback block), the run locks are released. */
    @Override
    public void close() {
        if (borrowed || run == null) {
            return;
        }
        PlaybookSession r = run;
        try {
            if (gateInstalled) {
                r.session().useNonTransactional(gateBefore);
                gateInstalled = false;
            }
            r.close();
        } finally {
            run = null;
        }
    }
}
