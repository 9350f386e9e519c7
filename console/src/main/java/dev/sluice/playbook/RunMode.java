package dev.sluice.playbook;

/** How a run decides: ask at every step, commit when every expectation holds, or roll every step back. */
public enum RunMode {
    STEP, YES, DRY_RUN
}
