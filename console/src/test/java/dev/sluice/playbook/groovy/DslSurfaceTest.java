package dev.sluice.playbook.groovy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.dsl.Sluice;
import groovy.lang.Closure;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a playbook step gets exactly the console's DSL ({@link Sluice}'s public static calls). A step may answer a call
 * differently (declared on {@link DslCalls}), but only with the console's name and parameter types (a Groovy closure where
 * Java takes a lambda, named options before the arguments); anything else a step declares is on the short step-only list.
 */
class DslSurfaceTest {
    /** What only a step has: run parameters, dry-run flag, notes, paths beside the playbook, the forwarder itself. */
    static final Set<String> STEP_ONLY = Set.of("getHttp", "getParams", "isDryRun", "note", "file", "methodMissing");
    /** Block keywords a step declares for the grammar (expect, requires, rollback): not DSL calls. */
    static final Set<String> KEYWORDS = Set.of("expect", "requires", "rollback");

    @Test
    void everyConsoleCallIsAStepCall() {
        Set<String> missing = new TreeSet<>();
        for (Method m : sluiceCalls()) {
            boolean keyword = Arrays.stream(Grammar.Keyword.values()).anyMatch(k -> !k.contextual() && k.word().equals(m.getName()));
            if (!keyword && !DslCalls.SLUICE_CALLS.contains(m.getName())) {
                missing.add(signature(m.getName(), m.getParameterTypes()));
            }
        }
        assertEquals(Set.of(), missing, "console calls a playbook step would not answer");
        assertTrue(DslCalls.SLUICE_CALLS.contains("consolidate"), "consolidate(Tier, TableRef...) is the issue's example");
    }

    @Test
    void everyStepCallHasTheConsolesNameAndParameterTypes() {
        Set<String> console = new TreeSet<>();
        Set<String> consoleNamed = new TreeSet<>();
        for (Method m : sluiceCalls()) {
            console.add(signature(m.getName(), normalised(m.getParameterTypes())));
            consoleNamed.add(signature(m.getName(), withoutOptions(normalised(m.getParameterTypes()))));
        }
        Set<String> drifted = new TreeSet<>();
        for (Class<?> c : List.of(DslCalls.class, StepDelegate.class, RollbackDelegate.class)) {
            for (Method m : c.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || STEP_ONLY.contains(m.getName()) || KEYWORDS.contains(m.getName()) && c != DslCalls.class) {
                    continue;
                }
                Class<?>[] p = m.getParameterTypes();
                boolean named = p.length > 0 && p[0] == Map.class && !m.getName().equals("copy");
                String sig = named ? signature(m.getName(), normalised(Arrays.copyOfRange(p, 1, p.length)))
                        : signature(m.getName(), normalised(p));
                if (!(named ? consoleNamed : console).contains(sig)) {
                    drifted.add(c.getSimpleName() + "." + sig);
                }
            }
        }
        assertEquals(Set.of(), drifted, "step calls the console does not have (with those parameter types): " + console);
    }

    private static List<Method> sluiceCalls() {
        return Arrays.stream(Sluice.class.getMethods()).filter(m -> Modifier.isStatic(m.getModifiers())).toList();
    }

    /** A closure stands for any functional interface (Groovy coerces it), as a lambda does in the console. */
    private static List<String> normalised(Class<?>[] types) {
        List<String> out = new ArrayList<>();
        for (Class<?> t : types) {
            boolean functional = t == Closure.class || t.isInterface() && t.isAnnotationPresent(FunctionalInterface.class)
                    || t.isInterface() && Arrays.stream(t.getMethods()).filter(x -> Modifier.isAbstract(x.getModifiers())).count() == 1;
            out.add(functional ? "λ" : t.getSimpleName());
        }
        return out;
    }

    /** The named-options form: Sluice's *Options parameter is the Groovy map in front. */
    private static List<String> withoutOptions(List<String> types) {
        return types.stream().filter(t -> !t.endsWith("Options")).toList();
    }

    private static String signature(String name, Object types) {
        String t = types instanceof Class<?>[] c ? String.join(", ", Arrays.stream(c).map(Class::getSimpleName).toList())
                : String.join(", ", (List<String>) types);
        return name + "(" + t + ")";
    }
}
