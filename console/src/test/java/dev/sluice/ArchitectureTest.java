package dev.sluice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way (README "Architecture"): each package may use only the packages listed for it, no two
 * packages use each other (directly or round a longer loop), no wildcard import hides a use, the SQLite driver stays in
 * the packages that own connections and files, and engine code never prints. A new package must be placed here, and each
 * package needs a package-info.java saying what lives there. Each rule has a test on a few synthetic files below.
 */
class ArchitectureTest {
    private static final Set<String> BASE = Set.of("error", "encoding");
    private static final Set<String> LOW = union(BASE, Set.of("workspace", "tier"));
    private static final Set<String> SERVICES = union(LOW, Set.of("data", "history", "probe", "schema", "snapshot"));
    private static final Set<String> ENGINE = union(SERVICES, Set.of("dsl", "playbook", "playbook.groovy"));
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("encoding", Set.of()),
            Map.entry("error", Set.of()),
            Map.entry("workspace", BASE),
            Map.entry("tier", union(BASE, Set.of("workspace"))),
            Map.entry("probe", union(BASE, Set.of("workspace"))),
            Map.entry("snapshot", LOW),
            Map.entry("schema", LOW),
            Map.entry("history", LOW),
            Map.entry("data", LOW),
            Map.entry("demo", LOW),
            Map.entry("dsl", SERVICES),
            Map.entry("playbook", union(SERVICES, Set.of("dsl"))),
            Map.entry("playbook.groovy", ENGINE),
            Map.entry("journal", ENGINE),
            Map.entry("report", union(ENGINE, Set.of("journal"))),
            Map.entry("console", ENGINE),
            Map.entry("console.playbook", union(ENGINE, Set.of("console"))),
            Map.entry("console.commands", union(ENGINE, Set.of("console", "console.playbook", "journal"))),
            Map.entry("cli", union(ENGINE, Set.of("console", "console.commands", "console.playbook", "journal", "report", "demo"))));
    /** Packages that may write to the process' stdout/stderr: the front ends. Engine code emits events instead. */
    private static final Set<String> FRONT_ENDS = Set.of("console", "console.commands", "console.playbook", "cli");
    /** The only packages that may touch the SQLite driver's own classes; the rest go through Sluice types. */
    private static final Set<String> SQLITE_DRIVER = Set.of("tier", "snapshot", "data");
    private static final Pattern PACKAGE = Pattern.compile("^package dev\\.sluice\\.([a-z.]+);", Pattern.MULTILINE);
    private static final Pattern USE = Pattern.compile("dev\\.sluice\\.([a-z]+(?:\\.[a-z]+)*)\\.[A-Z]");
    private static final Pattern WILDCARD = Pattern.compile("^import\\s+(?:static\\s+)?dev\\.sluice\\.([a-z]+(?:\\.[a-z]+)*)\\.\\*\\s*;", Pattern.MULTILINE);
    private static final Pattern SQLITE = Pattern.compile("\\borg\\.sqlite\\.");
    private static final Pattern PRINTS = Pattern.compile("\\bSystem\\s*\\.\\s*(out|err)\\b");

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> out = new TreeSet<>();
        for (Set<String> s : sets) {
            out.addAll(s);
        }
        return Set.copyOf(out);
    }

    private static Map<String, String> sources() throws IOException {
        Path root = Path.of("src", "main", "java", "dev", "sluice");
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                out.put(root.relativize(p).toString(), Files.readString(p));
            }
        }
        return out;
    }

    /** A file's code without comments (string literals stay: a rule never looks inside them for anything but names). */
    private static String code(String src) {
        return src.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }

    /**
     * Every rule over {@code files} (name to source): each file's package is placed in {@code allowed} and uses only
     * what is listed for it; no wildcard import of a Sluice package (it would hide what is used); the SQLite driver only
     * in its packages; no stdout/stderr in engine packages; and no cycle between packages. One line per violation.
     */
    static List<String> violations(Map<String, String> files, Map<String, Set<String>> allowed) {
        List<String> out = new ArrayList<>();
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            String name = f.getKey();
            String src = code(f.getValue());
            Matcher pm = PACKAGE.matcher(src);
            if (!pm.find()) {
                out.add(name + ": no dev.sluice.* package");
                continue;
            }
            String pkg = pm.group(1);
            Set<String> ok = allowed.get(pkg);
            if (ok == null) {
                out.add(name + ": package " + pkg + " is not placed in ArchitectureTest.ALLOWED");
                continue;
            }
            Set<String> uses = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
            Matcher w = WILDCARD.matcher(src);
            while (w.find()) {
                out.add(name + ": wildcard import of dev.sluice." + w.group(1) + ".* (name each type, so the layering sees it)");
                if (!w.group(1).equals(pkg)) {
                    uses.add(w.group(1));
                    if (!ok.contains(w.group(1))) {
                        out.add(name + ": " + pkg + " uses " + w.group(1));
                    }
                }
            }
            Matcher m = USE.matcher(src);
            while (m.find()) {
                String used = m.group(1);
                if (!used.equals(pkg)) {
                    uses.add(used);
                    if (!ok.contains(used)) {
                        out.add(name + ": " + pkg + " uses " + used);
                    }
                }
            }
            String noStrings = src.replaceAll("\"(?:\\\\.|[^\"\\\\\n])*\"", "\"\""); // a class name in a message is no use
            if (!SQLITE_DRIVER.contains(pkg) && SQLITE.matcher(noStrings).find()) {
                out.add(name + ": " + pkg + " uses org.sqlite (only " + String.join(", ", new TreeSet<>(SQLITE_DRIVER)) + " may)");
            }
            if (!FRONT_ENDS.contains(pkg) && PRINTS.matcher(noStrings).find()) {
                out.add(name + ": " + pkg + " writes to System.out/err (engine code emits events; the front ends print)");
            }
        }
        for (List<String> cycle : cycles(graph)) {
            out.add("package cycle: " + String.join(" -> ", cycle) + " -> " + cycle.get(0));
        }
        return out.stream().distinct().toList();
    }

    /** The strongly connected components of more than one package (Tarjan), each as its packages in order. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, out, next);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> onStack, List<List<String>> out, int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]);
        next[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out, next);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                component.sort(null);
                out.add(component);
            }
        }
    }

    @Test
    void dependenciesPointOneWay() throws IOException {
        assertEquals(List.of(), violations(sources(), ALLOWED));
    }

    @Test
    void everyPackageSaysWhatLivesThere() throws IOException {
        Set<Path> dirs = new TreeSet<>();
        try (Stream<Path> s = Files.walk(Path.of("src", "main", "java", "dev", "sluice"))) {
            s.filter(p -> p.toString().endsWith(".java")).forEach(p -> dirs.add(p.getParent()));
        }
        for (Path d : dirs) {
            Path info = d.resolve("package-info.java");
            assertTrue(Files.isRegularFile(info), d + " has no package-info.java");
            assertFalse(Files.readString(info).replaceAll("(?s)package .*", "").isBlank(), info + " says nothing");
        }
    }

    // ---------------------------------------------------------------- each rule catches what it is for

    private static final Map<String, Set<String>> TOY = Map.of("tier", Set.of(), "data", Set.of("tier"), "playbook", Set.of("tier", "data"),
            "console", Set.of("tier", "playbook"), "console.commands", Set.of("console", "tier"));

    private static List<String> check(String... nameThenSource) {
        Map<String, String> files = new TreeMap<>();
        for (int i = 0; i < nameThenSource.length; i += 2) {
            files.put(nameThenSource[i], nameThenSource[i + 1]);
        }
        return violations(files, TOY);
    }

    @Test
    void anUpwardImportIsCaught() {
        assertEquals(List.of("T.java: tier uses data"), check("T.java", "package dev.sluice.tier;\nimport dev.sluice.data.Copy;\nclass T {}"));
    }

    @Test
    void aWildcardImportOfASluicePackageIsCaughtAndCountedAsAUse() {
        assertEquals(List.of("T.java: wildcard import of dev.sluice.data.* (name each type, so the layering sees it)", "T.java: tier uses data"),
                check("T.java", "package dev.sluice.tier;\nimport dev.sluice.data.*;\nclass T {}"));
        assertEquals(List.of(), check("P.java", "package dev.sluice.playbook;\nimport java.util.*;\nclass P {}"), "other wildcards are not ours to judge");
    }

    @Test
    void theSqliteDriverOutsideItsPackagesIsCaught() {
        assertEquals(List.of("P.java: playbook uses org.sqlite (only data, snapshot, tier may)"),
                check("P.java", "package dev.sluice.playbook;\nimport org.sqlite.SQLiteConnection;\nclass P {}",
                        "D.java", "package dev.sluice.data;\nimport org.sqlite.SQLiteConnection;\nclass D {}"));
        assertEquals(List.of(), check("P.java", "package dev.sluice.playbook;\n// org.sqlite.SQLiteConnection is not used here\n"
                + "class P { boolean driver(String c) { return c.startsWith(\"org.sqlite.\"); } }"));
    }

    @Test
    void printingFromEngineCodeIsCaughtButNotFromTheFrontEnds() {
        assertEquals(List.of("D.java: data writes to System.out/err (engine code emits events; the front ends print)"),
                check("D.java", "package dev.sluice.data;\nclass D { void f() { System.err.println(\"x\"); } }",
                        "C.java", "package dev.sluice.console;\nclass C { void f() { System.out.println(\"x\"); } }"));
    }

    @Test
    void aPackageCycleIsCaughtEvenWhenEachUseIsAllowed() {
        List<String> v = check("C.java", "package dev.sluice.console;\nimport dev.sluice.console.commands.Help;\nclass C {}",
                "H.java", "package dev.sluice.console.commands;\nimport dev.sluice.console.C;\nclass H {}");
        assertEquals(List.of("C.java: console uses console.commands", "package cycle: console -> console.commands -> console"), v);
        Map<String, Set<String>> allowingBoth = new TreeMap<>(TOY);
        allowingBoth.put("console", Set.of("tier", "playbook", "console.commands"));
        assertEquals(List.of("package cycle: console -> console.commands -> console"), violations(Map.of(
                "C.java", "package dev.sluice.console;\nimport dev.sluice.console.commands.Help;\nclass C {}",
                "H.java", "package dev.sluice.console.commands;\nimport dev.sluice.console.C;\nclass H {}"), allowingBoth));
    }
}
