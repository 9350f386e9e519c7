package dev.sluice.playbook.groovy;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.Requires;
import groovy.lang.Closure;
import groovy.lang.MissingMethodException;
import groovy.lang.MissingPropertyException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What loading a playbook file collects, and how errors inside it are placed at file:line:column. */
final class LoadContext {
    /** A step as declared: name, closure, and its call in the source. */
    record StepDef(String name, Closure<?> body, SourceIndex.Call call, boolean always, boolean atomic, boolean perTier,
                   List<Requires> requires) {
    }

    final Path file;
    final String scriptName;
    final SourceIndex index;
    boolean loading = true;
    boolean seenPlaybook;
    String title;
    String description;
    final List<Playbook.TierNeed> tiers = new ArrayList<>();
    final Map<String, Playbook.Param> params = new LinkedHashMap<>();
    final List<StepDef> steps = new ArrayList<>();
    /** The playbook's own requires blocks (top level or directly in the playbook block). */
    final List<Requires> requires = new ArrayList<>();
    private final java.util.Set<SourceIndex.Call> usedStepCalls = new java.util.HashSet<>();

    LoadContext(Path file, String scriptName, SourceIndex index) {
        this.file = file;
        this.scriptName = scriptName;
        this.index = index;
    }

    String display() {
        return index.display();
    }

    /** The line in this file the current (or a thrown) stack is at. */
    int lineOf(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            if (scriptName.equals(e.getFileName()) && e.getLineNumber() > 0) {
                return e.getLineNumber();
            }
        }
        return 0;
    }

    /** {@code playbooks/x.groovy:12:5} for where the running code (or {@code t}) is in this file. */
    String position(Throwable t, String word) {
        int line = lineOf(t == null ? new Throwable().getStackTrace() : t.getStackTrace());
        if (line == 0) {
            return display();
        }
        return display() + ":" + line + ":" + index.columnOf(line, word);
    }

    SluiceException misuse(Grammar.Keyword k) {
        return new SluiceException(ErrorCode.PLAYBOOK, position(null, k.word()) + ": " + k.misuse() + ".");
    }

    /** The step call in the source the running {@code step(...)} comes from (by line; loops share one call). */
    SourceIndex.Call stepCall(String name) {
        int line = lineOf(new Throwable().getStackTrace());
        List<SourceIndex.Call> candidates = index.calls().stream().filter(c -> c.keyword() == Grammar.Keyword.STEP && c.line() == line).toList();
        for (SourceIndex.Call c : candidates) {
            if (name.equals(c.firstArg()) && usedStepCalls.add(c)) {
                return c;
            }
        }
        if (!candidates.isEmpty()) {
            return candidates.get(0);
        }
        throw new SluiceException(ErrorCode.PLAYBOOK, display() + ": cannot find the source of step '" + name
                + "'. Declare steps with step 'name', { … } directly in the playbook block.");
    }

    /** Turns anything a playbook's code threw into one line placed in this file. */
    SluiceException placed(Throwable t) {
        if (t instanceof SluiceException se && se.getMessage().startsWith(display() + ":")) {
            return se;
        }
        if (t instanceof MissingMethodException mm && Grammar.Keyword.of(mm.getMethod()).isPresent()
                && !(Grammar.Keyword.of(mm.getMethod()).get().contextual() && isDslCall(mm.getMethod()))) {
            Grammar.Keyword k = Grammar.Keyword.of(mm.getMethod()).get();
            return new SluiceException(ErrorCode.PLAYBOOK, position(t, k.word()) + ": " + k.misuse() + ".", t);
        }
        if (t instanceof MissingPropertyException mp) {
            return new SluiceException(ErrorCode.PLAYBOOK, position(t, mp.getProperty()) + ": unknown name '" + mp.getProperty()
                    + "'. Tiers and parameters are bound by name; check the spelling or declare it with tiers/param.", t);
        }
        if (t instanceof MissingMethodException mm) {
            return new SluiceException(ErrorCode.PLAYBOOK, position(t, mm.getMethod()) + ": no method '" + mm.getMethod() + "' for "
                    + argTypes(mm.getArguments()) + ". Check the name and arguments (README, 'The DSL').", t);
        }
        if (t instanceof SluiceException se) {
            return new SluiceException(se.code(), position(t, null) + ": " + se.getMessage(), se);
        }
        return new SluiceException(ErrorCode.PLAYBOOK, position(t, null) + ": " + t.getClass().getSimpleName() + ": " + t.getMessage(), t);
    }

    /** A DSL call of a step body with that name (journalMode): wrong arguments there are not a misplaced keyword. */
    private static boolean isDslCall(String name) {
        return DslCalls.SLUICE_CALLS.contains(name) || java.util.Arrays.stream(DslCalls.class.getMethods()).anyMatch(m -> m.getName().equals(name));
    }

    private static String argTypes(Object[] args) {
        List<String> out = new ArrayList<>();
        for (Object a : args) {
            out.add(a == null ? "null" : a.getClass().getSimpleName());
        }
        return "(" + String.join(", ", out) + ")";
    }
}
