package dev.sluice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way (README "Architecture"): each package may use only the packages listed for it. A new
 * package must be placed here, and each package needs a package-info.java saying what lives there.
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
            Map.entry("console", union(ENGINE, Set.of("console.commands", "console.playbook"))),
            Map.entry("console.commands", union(ENGINE, Set.of("console"))),
            Map.entry("console.playbook", union(ENGINE, Set.of("console"))),
            Map.entry("cli", union(ENGINE, Set.of("console", "console.commands", "console.playbook", "journal", "report", "demo"))));
    private static final Pattern PACKAGE = Pattern.compile("^package dev\\.sluice\\.([a-z.]+);", Pattern.MULTILINE);
    private static final Pattern USE = Pattern.compile("dev\\.sluice\\.([a-z]+(?:\\.[a-z]+)*)\\.[A-Z]");

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> out = new TreeSet<>();
        for (Set<String> s : sets) {
            out.addAll(s);
        }
        return Set.copyOf(out);
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(Path.of("src", "main", "java", "dev", "sluice"))) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    @Test
    void dependenciesPointOneWay() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : sources()) {
            String src = Files.readString(file).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
            Matcher pm = PACKAGE.matcher(src);
            assertTrue(pm.find(), file + " has a dev.sluice.* package");
            String pkg = pm.group(1);
            Set<String> allowed = ALLOWED.get(pkg);
            assertTrue(allowed != null, "package " + pkg + " (" + file + ") is not placed in ArchitectureTest.ALLOWED");
            Matcher m = USE.matcher(src);
            while (m.find()) {
                String used = m.group(1);
                if (!used.equals(pkg) && !allowed.contains(used)) {
                    violations.add(file.getFileName() + ": " + pkg + " uses " + used);
                }
            }
        }
        assertEquals(List.of(), violations.stream().distinct().toList());
    }

    @Test
    void everyPackageSaysWhatLivesThere() throws IOException {
        Set<Path> dirs = new TreeSet<>();
        sources().forEach(p -> dirs.add(p.getParent()));
        for (Path d : dirs) {
            Path info = d.resolve("package-info.java");
            assertTrue(Files.isRegularFile(info), d + " has no package-info.java");
            assertFalse(Files.readString(info).replaceAll("(?s)package .*", "").isBlank(), info + " says nothing");
        }
    }
}
