package dev.sluice.dsl;

/** The outcome of one named check: whether it held, why not (null when it did), and how long it took. */
public record Expectation(String name, boolean passed, String detail, long millis) {
    @Override
    public String toString() {
        return (passed ? "✓ " : "✗ ") + "expect '" + name + "'" + (passed ? "" : ": " + detail);
    }
}
