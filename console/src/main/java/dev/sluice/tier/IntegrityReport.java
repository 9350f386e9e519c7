package dev.sluice.tier;

import java.util.List;

/** The outcome of an integrity, quick or foreign-key check: ok, or the problems the engine listed. */
public record IntegrityReport(String tier, String check, List<String> problems) {
    public IntegrityReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    @Override
    public String toString() {
        if (ok()) {
            return tier + " " + check + ": ok";
        }
        StringBuilder sb = new StringBuilder(tier + " " + check + ": " + problems.size() + " problem(s)");
        problems.stream().limit(20).forEach(p -> sb.append("\n  ").append(p));
        if (problems.size() > 20) {
            sb.append("\n  … ").append(problems.size() - 20).append(" more");
        }
        return sb.toString();
    }
}
