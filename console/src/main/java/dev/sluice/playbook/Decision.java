package dev.sluice.playbook;

/** What the operator (or --yes / --dry-run) decides about a step whose transactions are open. */
public enum Decision {
    COMMIT, ROLLBACK, INSPECT, SKIP, QUIT;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
