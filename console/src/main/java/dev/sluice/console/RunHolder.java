package dev.sluice.console;

import dev.sluice.playbook.PlaybookSession;

/**
 * A command that holds the playbook run its console loaded (its step may be open). The console's front end asks
 * through {@link Console#playbookRun()} (Ctrl-C and SIGTERM end an open step), without knowing where the command lives.
 */
public interface RunHolder {
    /** The run this console loaded, or null: none loaded, or borrowed from {@code sluice run}. */
    PlaybookSession ownedRun();
}
