package dev.sluice.console;

import dev.sluice.tier.Tier;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jdk.jshell.execution.DirectExecutionControl;

/**
 * The console's fast path while JShell's compiler is still cold (its first compile takes about a second): an input that
 * is nothing but a chain of DSL calls on a tier variable, or a static DSL call, with literal arguments
 * ({@code tier1.count("conversations")}, {@code tier2.query("select …")}, {@code integrity(tier1)}) is run by
 * reflection, with the method Java itself would choose, and shown exactly as JShell would show it. Anything else
 * (declarations, operators, lambdas, an overload choice that is not clear-cut) returns empty and goes to JShell.
 *
 * <p>Only used with the standard startup script, whose bindings it mirrors (one {@code Tier} per tier name and the
 * static imports of {@code Sluice}): a user's own startup could rebind a name.
 */
final class DirectCall {
    /** What one input resolved to: the calls to make, in order, and the static type of the result. */
    record Plan(Object receiver, List<Call> calls, Class<?> type) {
    }

    /** One call: a method and its argument values (varargs already packed). */
    record Call(Method method, Object[] args) {
    }

    /** The outcome of running a plan: what to print (null for a void call) and the object it shows. */
    record Result(String shown, Object value) {
    }

    private final Map<String, Tier> tiers;
    private final Class<?> statics;

    DirectCall(Map<String, Tier> tiers, Class<?> statics) {
        this.tiers = Map.copyOf(tiers);
        this.statics = statics;
    }

    /** The plan for {@code source}, or empty when JShell must evaluate it. */
    Optional<Plan> plan(String source) {
        try {
            return Optional.ofNullable(new Parser(source).parse());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Runs a plan. Throws what the DSL call threw (a SluiceException, an SQLException wrapper…), as a snippet would. */
    static Result run(Plan plan) throws Throwable {
        Object value = plan.receiver();
        for (Call c : plan.calls()) {
            try {
                value = c.method().invoke(Modifier.isStatic(c.method().getModifiers()) ? null : value, c.args());
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
        if (plan.type() == void.class) {
            return new Result(null, null);
        }
        String typeName = plan.type().isPrimitive() ? plan.type().getName() : plan.type().getSimpleName();
        return new Result(Renderer.value(typeName, Values.of(value)), value);
    }

    /** JShell's own rendering of a value (strings quoted and escaped, arrays listed), so both paths print alike. */
    private static final class Values extends DirectExecutionControl {
        static String of(Object v) {
            return valueString(v);
        }
    }

    // ---------------------------------------------------------------- parsing: receiver(.name(args))* ;?

    /** A literal or tier argument: its value and the type Java gives it. */
    private record Arg(Object value, Class<?> type) {
    }

    private final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Plan parse() {
            skip();
            String first = ident();
            if (first == null) {
                return null;
            }
            skip();
            Object receiver;
            Class<?> type;
            List<Call> calls = new ArrayList<>();
            if (peek() == '(') {
                List<Arg> args = args();
                Call c = resolve(statics, first, args, true);
                if (c == null) {
                    return null;
                }
                calls.add(c);
                receiver = null;
                type = c.method().getReturnType();
            } else {
                Tier t = tiers.get(first);
                if (t == null) {
                    return null;
                }
                receiver = t;
                type = Tier.class;
            }
            skip();
            while (peek() == '.') {
                i++;
                skip();
                String name = ident();
                skip();
                if (name == null || peek() != '(' || type.isPrimitive() || type == void.class) {
                    return null;
                }
                List<Arg> args = args();
                Call c = resolve(type, name, args, false);
                if (c == null) {
                    return null;
                }
                calls.add(c);
                type = c.method().getReturnType();
                skip();
            }
            if (peek() == ';') {
                i++;
                skip();
            }
            return i == s.length() && !calls.isEmpty() ? new Plan(receiver, calls, type) : null;
        }

        private List<Arg> args() {
            i++; // (
            List<Arg> out = new ArrayList<>();
            skip();
            if (peek() == ')') {
                i++;
                return out;
            }
            while (true) {
                skip();
                out.add(arg());
                skip();
                char c = peek();
                i++;
                if (c == ')') {
                    return out;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("not a plain argument list");
                }
            }
        }

        private Arg arg() {
            char c = peek();
            if (c == '"') {
                return new Arg(string(), String.class);
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                int start = i;
                if (c == '-') {
                    i++;
                }
                int digitsStart = i;
                while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    i++;
                }
                String digits = s.substring(start, i);
                String magnitude = s.substring(digitsStart, i);
                if (magnitude.isEmpty() || (magnitude.startsWith("0") && magnitude.length() > 1)) {
                    throw new IllegalArgumentException("not a plain decimal literal"); // -x, 010 and 08 (octal, or rejected)
                }
                if (peek() == 'L' || peek() == 'l') {
                    i++;
                    if (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '.') {
                        throw new IllegalArgumentException("not a plain decimal long");
                    }
                    return new Arg(Long.parseLong(digits), long.class);
                }
                if (Character.isLetterOrDigit(peek()) || peek() == '.' || peek() == '_') {
                    throw new IllegalArgumentException("not a plain decimal int"); // 1.5, 0x10, 1_000, 1e3
                }
                return new Arg(Integer.parseInt(digits), int.class);
            }
            String id = ident();
            if (id == null) {
                throw new IllegalArgumentException("not a literal");
            }
            switch (id) {
                case "true", "false" -> {
                    return new Arg(Boolean.parseBoolean(id), boolean.class);
                }
                case "null" -> {
                    return new Arg(null, null);
                }
                default -> {
                    Tier t = tiers.get(id);
                    if (t == null) {
                        throw new IllegalArgumentException("not a tier");
                    }
                    return new Arg(t, Tier.class);
                }
            }
        }

        /** A plain string literal: the escapes \" \\ \n \t \r only (anything else goes to JShell). */
        private String string() {
            i++;
            StringBuilder b = new StringBuilder();
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\n' || c == '\r') {
                    break;
                }
                if (c == '\\') {
                    char e = i < s.length() ? s.charAt(i++) : 0;
                    switch (e) {
                        case '"' -> b.append('"');
                        case '\\' -> b.append('\\');
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        default -> throw new IllegalArgumentException("escape left to JShell");
                    }
                } else {
                    b.append(c);
                }
            }
            throw new IllegalArgumentException("unterminated string");
        }

        private String ident() {
            int start = i;
            if (i < s.length() && Character.isJavaIdentifierStart(s.charAt(i))) {
                i++;
                while (i < s.length() && Character.isJavaIdentifierPart(s.charAt(i))) {
                    i++;
                }
                return s.substring(start, i);
            }
            return null;
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : 0;
        }

        /** Java's white space only (space, tab, form feed, line terminators): a comment anywhere sends the input to JShell. */
        private void skip() {
            while (i < s.length() && " \t\f\n\r".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }
    }

    // ---------------------------------------------------------------- overload resolution (JLS 15.12.2, the cases literals meet)

    /**
     * The method Java would call: public, on a public class, applicable by strict invocation, else loose (boxing), else
     * varargs; among several applicable the single most specific. Null when none or no clear winner.
     */
    private static Call resolve(Class<?> type, String name, List<Arg> args, boolean wantStatic) {
        if (!Modifier.isPublic(type.getModifiers())) {
            return null;
        }
        List<Method> candidates = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && !m.isBridge() && !m.isSynthetic() && Modifier.isStatic(m.getModifiers()) == wantStatic
                    && Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
                candidates.add(m);
            }
        }
        for (int phase = 1; phase <= 3; phase++) {
            List<Method> applicable = new ArrayList<>();
            for (Method m : candidates) {
                if (applicable(m, args, phase)) {
                    applicable.add(m);
                }
            }
            if (!applicable.isEmpty()) {
                Method best = mostSpecific(applicable, phase == 3);
                if (best == null || best.getGenericReturnType() instanceof java.lang.reflect.TypeVariable<?>) {
                    return null; // no clear winner, or a result whose static type only javac's inference knows
                }
                return new Call(best, pack(best, args, phase == 3));
            }
        }
        return null;
    }

    private static boolean applicable(Method m, List<Arg> args, int phase) {
        Class<?>[] p = m.getParameterTypes();
        boolean varargs = phase == 3 && m.isVarArgs();
        if (!varargs && p.length != args.size()) {
            return false;
        }
        if (varargs && args.size() < p.length - 1) {
            return false;
        }
        for (int k = 0; k < args.size(); k++) {
            Class<?> target = varargs && k >= p.length - 1 ? p[p.length - 1].getComponentType() : p[k];
            if (!converts(args.get(k).type(), target, phase >= 2)) {
                return false;
            }
        }
        return true;
    }

    /** Method invocation conversion of an argument of static type {@code from} (null: the null literal). */
    private static boolean converts(Class<?> from, Class<?> to, boolean boxing) {
        if (from == null) {
            return !to.isPrimitive();
        }
        if (from.isPrimitive()) {
            if (to.isPrimitive()) {
                return to == from || widens(from, to);
            }
            return boxing && to.isAssignableFrom(box(from));
        }
        return !to.isPrimitive() && to.isAssignableFrom(from);
    }

    private static boolean widens(Class<?> from, Class<?> to) {
        if (from == int.class) {
            return to == long.class || to == float.class || to == double.class;
        }
        if (from == long.class) {
            return to == float.class || to == double.class;
        }
        return false;
    }

    private static Class<?> box(Class<?> p) {
        return p == int.class ? Integer.class : p == long.class ? Long.class : p == boolean.class ? Boolean.class : p;
    }

    /** The single method whose parameters are all subtypes of every other's; null when there is no such one. */
    private static Method mostSpecific(List<Method> ms, boolean varargs) {
        Method winner = null;
        for (Method m : ms) {
            boolean best = true;
            for (Method o : ms) {
                if (o != m && !moreSpecific(m, o, varargs)) {
                    best = false;
                    break;
                }
            }
            if (best) {
                if (winner != null) {
                    return null;
                }
                winner = m;
            }
        }
        return winner;
    }

    private static boolean moreSpecific(Method m, Method o, boolean varargs) {
        Class<?>[] a = m.getParameterTypes();
        Class<?>[] b = o.getParameterTypes();
        if (a.length != b.length || varargs != (m.isVarArgs() && o.isVarArgs()) && varargs) {
            return false;
        }
        for (int k = 0; k < a.length; k++) {
            Class<?> x = a[k];
            Class<?> y = b[k];
            boolean sub = x == y || (!x.isPrimitive() && !y.isPrimitive() && y.isAssignableFrom(x)) || (x.isPrimitive() && widens(x, y));
            if (!sub) {
                return false;
            }
        }
        return true;
    }

    private static Object[] pack(Method m, List<Arg> args, boolean varargs) {
        Class<?>[] p = m.getParameterTypes();
        if (!varargs || !m.isVarArgs()) {
            Object[] out = new Object[args.size()];
            for (int k = 0; k < out.length; k++) {
                out[k] = convert(args.get(k).value(), p[k]);
            }
            return out;
        }
        int fixed = p.length - 1;
        Object[] out = new Object[p.length];
        for (int k = 0; k < fixed; k++) {
            out[k] = convert(args.get(k).value(), p[k]);
        }
        Class<?> component = p[fixed].getComponentType();
        Object rest = java.lang.reflect.Array.newInstance(component, args.size() - fixed);
        for (int k = fixed; k < args.size(); k++) {
            java.lang.reflect.Array.set(rest, k - fixed, convert(args.get(k).value(), component));
        }
        out[fixed] = rest;
        return out;
    }

    /** An int literal passed where a long, float or double is expected widens first, as javac does. */
    private static Object convert(Object v, Class<?> to) {
        if (v instanceof Integer n && (to == long.class || to == Long.class)) {
            return n.longValue();
        }
        if (v instanceof Number n && (to == double.class || to == Double.class)) {
            return n.doubleValue();
        }
        if (v instanceof Number n && (to == float.class || to == Float.class)) {
            return n.floatValue();
        }
        return v;
    }
}
