package dev.sluice.playbook.groovy;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.Requires;
import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The {@code playbook { … }} block: description, tiers, param, requires and step. */
public final class PlaybookDelegate {
    private static final java.util.Set<String> STEP_OPTIONS = java.util.Set.of("always", "atomic");
    private final LoadContext load;

    PlaybookDelegate(LoadContext load) {
        this.load = load;
    }

    private void check(Grammar.Keyword k) {
        if (!load.loading) {
            throw load.misuse(k); // reached from inside a step body through the owner chain
        }
    }

    /** A paragraph saying what the playbook is for. */
    public void description(String text) {
        check(Grammar.Keyword.DESCRIPTION);
        load.description = text;
    }

    /** Tiers the playbook needs: {@code tiers 'tier1', 'tier2'}; a workspace lacking one is refused before anything runs. */
    public void tiers(String... names) {
        tiers(Map.of(), names);
    }

    /** With optional ones: {@code tiers 'tier1', optional: ['orchestration']} (missing optional tiers are bound as null). */
    public void tiers(Map<String, Object> options, String... names) {
        check(Grammar.Keyword.TIERS);
        for (String n : names) {
            add(n, false);
        }
        Object opt = options.get("optional");
        if (opt instanceof Collection<?> c) {
            c.forEach(o -> add(String.valueOf(o), true));
        } else if (opt != null) {
            add(String.valueOf(opt), true);
        }
        for (String k : options.keySet()) {
            if (!k.equals("optional")) {
                throw new SluiceException(ErrorCode.PLAYBOOK, load.position(null, "tiers") + ": unknown option '" + k
                        + "' for tiers; the only option is optional: ['name', …].");
            }
        }
    }

    private void add(String name, boolean optional) {
        if (load.tiers.stream().anyMatch(t -> t.name().equals(name))) {
            throw new SluiceException(ErrorCode.PLAYBOOK, load.position(null, "tiers") + ": tier '" + name + "' is declared twice.");
        }
        load.tiers.add(new Playbook.TierNeed(name, optional));
    }

    /** A parameter with its default; {@code sluice run … -p name=value} overrides it (converted to the default's type). */
    public void param(String name, Object defaultValue) {
        check(Grammar.Keyword.PARAM);
        if (load.params.containsKey(name)) {
            throw new SluiceException(ErrorCode.PLAYBOOK, load.position(null, "param") + ": parameter '" + name + "' is declared twice.");
        }
        load.params.put(name, new Playbook.Param(name, defaultValue, false));
    }

    /** A parameter without default: the run is refused unless {@code -p name=value} gives it. */
    public void param(String name) {
        check(Grammar.Keyword.PARAM);
        load.params.put(name, new Playbook.Param(name, null, true));
    }

    /** A step: one unit of commit. Its body runs with every tier in an open transaction. */
    public void step(String name, @DelegatesTo(value = StepDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        step(Map.of(), name, body);
    }

    /**
     * A step with options: {@code step 'back up', always: true, { … }} runs on every run instead of once (recurring work:
     * backups, retention); each run still writes its history row. {@code step 'merge', atomic: true, { … }} commits the
     * step's SQLite tiers as one (README, "Playbooks").
     */
    public void step(Map<String, Object> options, String name,
                     @DelegatesTo(value = StepDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        check(Grammar.Keyword.STEP);
        List<Requires> requires = new java.util.ArrayList<>();
        for (var e : options.entrySet()) {
            if (e.getKey().equals(StepRequiresHoist.OPTION) && e.getValue() instanceof Closure<?> hoisted) {
                // The step body's own requires statements, moved here by the compiler so they are known without running it.
                Closure<?> c = (Closure<?>) hoisted.clone();
                c.setDelegate(new StepRequires(load, requires));
                c.setResolveStrategy(Closure.DELEGATE_FIRST);
                c.call();
                continue;
            }
            if (!STEP_OPTIONS.contains(e.getKey()) || !(e.getValue() instanceof Boolean)) {
                throw new SluiceException(ErrorCode.PLAYBOOK, load.position(null, "step") + ": unknown step option " + e.getKey() + ": "
                        + e.getValue() + "; the options are always: true (run the step on every run) and atomic: true|false (commit its "
                        + "SQLite tiers as one; false: tier by tier).");
            }
        }
        boolean always = Boolean.TRUE.equals(options.get("always"));
        boolean atomic = Boolean.TRUE.equals(options.get("atomic"));
        boolean perTier = Boolean.FALSE.equals(options.get("atomic"));
        for (LoadContext.StepDef s : load.steps) {
            if (s.name().equals(name)) {
                throw new SluiceException(ErrorCode.PLAYBOOK, load.position(null, "step") + ": step '" + name + "' is declared twice (first at line "
                        + s.call().line() + "). Step names identify steps in history; make them unique.");
            }
        }
        load.steps.add(new LoadContext.StepDef(name, body, load.stepCall(name), always, atomic, perTier, requires));
    }

    /** The playbook's preconditions: checked before anything runs, in every run mode (README, "Preconditions"). */
    public void requires(@DelegatesTo(value = RequiresDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        requires(Map.of(), body);
    }

    public void requires(Map<String, Object> options,
                         @DelegatesTo(value = RequiresDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        check(Grammar.Keyword.REQUIRES);
        RequiresDelegate.later(load, options, false);
        load.requires.add(RequiresDelegate.block(load, body, false, load.lineOf(new Throwable().getStackTrace())));
    }

    /** Collects a step's hoisted {@code requires} statements at load time (their closures run when the run starts). */
    public static final class StepRequires {
        private final LoadContext load;
        private final List<Requires> into;

        StepRequires(LoadContext load, List<Requires> into) {
            this.load = load;
            this.into = into;
        }

        public void requires(@DelegatesTo(value = RequiresDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
            requires(Map.of(), body);
        }

        /** {@code requires later: true, { … }}: checked only right before the step (tables an earlier step creates). */
        public void requires(Map<String, Object> options,
                             @DelegatesTo(value = RequiresDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
            boolean later = RequiresDelegate.later(load, options, true);
            into.add(RequiresDelegate.block(load, body, later, load.lineOf(new Throwable().getStackTrace())));
        }
    }

    List<LoadContext.StepDef> steps() {
        return load.steps;
    }
}
