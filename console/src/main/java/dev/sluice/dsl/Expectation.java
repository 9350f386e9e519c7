package dev.sluice.dsl;

/**
 * The outcome of one named check: whether it held, why not (null when it did), and how long it took. A detail of several
 * lines (the values a playbook's condition compared, drawn under it) prints on lines of its own, indented.
 */
public record Expectation(String name, boolean passed, String detail, long millis) {
    @Override
    public String toString() {
        String head = (passed ? "✓ " : "✗ ") + "expect '" + name + "'";
        if (passed) {
            return head;
        }
        if (detail != null && detail.contains("\n")) {
            return head + ":\n    " + String.join("\n    ", detail.stripTrailing().lines().map(String::stripTrailing).toList());
        }
        return head + ": " + detail;
    }
}
