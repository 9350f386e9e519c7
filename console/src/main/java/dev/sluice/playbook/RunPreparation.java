package dev.sluice.playbook;

import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run works out before it starts, read-only: its parameters (from {@code -p}, coerced to their defaults' types),
 * the selected steps ({@code --only}, {@code --start-at}, {@code --stop-after}), the names bound for the playbook's
 * Groovy, and the precondition report. Nothing here takes a lock or writes.
 */
final class RunPreparation {
    private RunPreparation() {
    }

    /** Parameters, selection and the up-front precondition report of a run that has not started. */
    record Prepared(Map<String, Object> params, List<Step> selection, PreconditionReport report) {
    }

    /**
     * Everything checkable before a run writes anything, read-only: required tiers, parameters, the selection, then every
     * precondition of the playbook and of each selected pending step (except blocks marked later), all collected into one
     * report. Unknown {@code -p} names and unknown step names are usage errors and throw at once.
     */
    static Prepared prepare(Session session, Playbook playbook, RunOptions options) {
        List<PreconditionReport.Entry> entries = new ArrayList<>();
        for (Playbook.TierNeed n : playbook.tiers()) {
            if (!n.optional() && !session.tiers().has(n.name())) {
                Precondition p = Preconditions.tierPresent(n.name());
                entries.add(new PreconditionReport.Entry("playbook", p.what(), p.check(session)));
            }
        }
        Map<String, Object> params = resolveParams(playbook, options, entries);
        List<Step> selection = select(playbook, options);
        bind(session, playbook, params);
        List<StepStatus> statuses = PlaybookSession.statuses(session, playbook);
        List<Step> pending = selection.stream().filter(s -> statuses.get(s.index() - 1).state() != StepState.APPLIED).toList();
        if (!pending.isEmpty()) { // nothing left to run needs nothing to hold
            entries.addAll(PreconditionCheck.evaluate(session, "playbook", playbook.requires(), false));
            for (Step s : pending) {
                entries.addAll(PreconditionCheck.evaluate(session, PreconditionCheck.scope(s), s.requires(), true));
            }
        }
        return new Prepared(params, selection, new PreconditionReport(playbook.displayPath(), entries));
    }

    private static Map<String, Object> resolveParams(Playbook playbook, RunOptions options, List<PreconditionReport.Entry> entries) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : options.params().keySet()) {
            if (!playbook.params().containsKey(k)) {
                throw new SluiceException(ErrorCode.USAGE, "Unknown parameter '" + k + "' for " + playbook.displayPath() + "; its parameters: "
                        + (playbook.params().isEmpty() ? "none" : String.join(", ", playbook.params().keySet())) + ".");
            }
        }
        for (Playbook.Param p : playbook.params().values()) {
            String given = options.params().get(p.name());
            if (given == null && p.required()) {
                entries.add(new PreconditionReport.Entry("playbook", "parameter '" + p.name() + "'", Precondition.Outcome.fails(
                        "not given", "a value (it has no default)", "Give it with -p " + p.name() + "=VALUE.")));
                out.put(p.name(), null);
                continue;
            }
            try {
                out.put(p.name(), given == null ? p.defaultValue() : coerce(p, given));
            } catch (SluiceException e) {
                entries.add(new PreconditionReport.Entry("playbook", "parameter '" + p.name() + "'", Precondition.Outcome.fails(
                        "'" + given + "'", e.getMessage(), "Give it with -p " + p.name() + "=VALUE.")));
                out.put(p.name(), p.defaultValue());
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static Object coerce(Playbook.Param p, String v) {
        Object d = p.defaultValue();
        try {
            if (d instanceof Integer) {
                return Integer.parseInt(v);
            }
            if (d instanceof Long) {
                return Long.parseLong(v);
            }
            if (d instanceof Double || d instanceof java.math.BigDecimal) {
                return Double.parseDouble(v);
            }
        } catch (NumberFormatException e) {
            throw new SluiceException(ErrorCode.USAGE, "a number (default " + d + ")");
        }
        if (d instanceof Boolean) {
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new SluiceException(ErrorCode.USAGE, "true or false");
            }
            return Boolean.parseBoolean(v);
        }
        return v;
    }

    static void bind(Session session, Playbook playbook, Map<String, Object> params) {
        Playbook.Binder b = playbook.binder();
        // The fixed names first: a tier of the same name wins (seed 003's tier is called 'workspace'; its playbook reaches
        // the Workspace through Sluice.workspace()).
        b.bind("tiers", session.tiers());
        b.bind("workspace", session.workspace());
        b.bind("params", params);
        for (Playbook.TierNeed n : playbook.tiers()) {
            b.bind(n.name(), null); // optional tiers that are missing stay null
        }
        for (Tier t : session.tiers()) {
            b.bind(t.name(), t);
        }
        params.forEach((k, v) -> {
            if (session.tiers().has(k)) {
                throw new SluiceException(ErrorCode.PLAYBOOK, playbook.displayPath() + ": parameter '" + k + "' has the name of a tier. Rename the parameter.");
            }
            b.bind(k, v);
        });
    }

    private static List<Step> select(Playbook playbook, RunOptions options) {
        List<Step> all = playbook.steps();
        if (options.only() != null) {
            if (options.startAt() != null || options.stopAfter() != null) {
                throw new SluiceException(ErrorCode.USAGE, "--only runs one step; it does not combine with --start-at or --stop-after.");
            }
            return List.of(playbook.step(options.only()));
        }
        int from = options.startAt() == null ? 0 : playbook.step(options.startAt()).index() - 1;
        int to = options.stopAfter() == null ? all.size() : playbook.step(options.stopAfter()).index();
        if (to <= from) {
            throw new SluiceException(ErrorCode.USAGE, "--stop-after '" + options.stopAfter() + "' comes before --start-at '"
                    + options.startAt() + "'. Choose a later step to stop after.");
        }
        return all.subList(from, to);
    }
}
