package dev.sluice.playbook.groovy;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.Step;
import groovy.lang.Binding;
import groovy.lang.Closure;
import groovy.lang.GroovyClassLoader;
import groovy.lang.GroovyCodeSource;
import groovy.lang.Script;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.codehaus.groovy.control.CompilationFailedException;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.customizers.ImportCustomizer;
import org.codehaus.groovy.runtime.InvokerHelper;

/**
 * Turns a playbook file into a {@link Playbook}: parses it (a syntax error is one line with file:line:column), checks the
 * grammar on the syntax tree, runs the top level to collect title, description, tiers, parameters and steps (step bodies
 * do not run), and computes each step's checksum from its own source span.
 */
public final class PlaybookLoader {
    private PlaybookLoader() {
    }

    /** Loads a playbook to run it: its top level runs as written. */
    public static Playbook load(Path file) {
        return load(file, false);
    }

    /**
     * Loads a playbook only to list, dry-run or complete it: top-level statements other than the declarations (playbook,
     * description, tiers, param, step, and definitions of literals or closures) are left out, so they have no side effect.
     */
    public static Playbook loadDeclarations(Path file) {
        return load(file, true);
    }

    private static Playbook load(Path file, boolean declarationsOnly) {
        if (Files.isDirectory(file)) {
            throw new SluiceException(ErrorCode.PLAYBOOK, "Playbook " + file + " is a directory, not a playbook file. Give the path of a "
                    + ".groovy file in it, e.g. " + file.resolve("tour.groovy") + ".");
        }
        if (!Files.isRegularFile(file)) {
            throw new SluiceException(ErrorCode.PLAYBOOK, "Playbook " + file + " does not exist. Give the path of a .groovy file, e.g. playbooks/tour.groovy.");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot read playbook " + file + ": " + e.getMessage() + ".", e);
        }
        return load(file, display(file), text, declarationsOnly);
    }

    static Playbook load(Path file, String display, String text, boolean declarationsOnly) {
        String fileName = file.getFileName().toString();
        // Groovy names the script class after its source name: a file called long.groovy (or int, class, 1-x…) would make
        // a class the verifier rejects. The code gets a name that is always a valid class name; messages use the path.
        String scriptName = scriptName(fileName);
        SourceIndex index = SourceIndex.parse(display, scriptName, text);
        LoadContext load = new LoadContext(file, scriptName, index);

        CompilerConfiguration cc = new CompilerConfiguration();
        cc.setScriptBaseClass(PlaybookScript.class.getName());
        ImportCustomizer imports = new ImportCustomizer();
        imports.addStarImports("dev.sluice.tier", "dev.sluice.dsl");
        NoJvmExit exits = new NoJvmExit(display);
        cc.addCompilationCustomizers(imports, exits, new StepRequiresHoist(), new ExpectPowerAssert());
        if (declarationsOnly) {
            cc.addCompilationCustomizers(new DeclarationsOnly());
        }
        GroovyClassLoader gcl = new GroovyClassLoader(PlaybookLoader.class.getClassLoader(), cc);
        Script script;
        try {
            Class<?> cls = gcl.parseClass(new GroovyCodeSource(text, scriptName, "/sluice/playbook"), false);
            if (exits.refused != null) {
                throw exits.refused; // before any of the playbook's code runs, its top level included
            }
            script = InvokerHelper.createScript(cls, new Binding());
        } catch (CompilationFailedException e) {
            if (exits.refused != null) {
                throw exits.refused;
            }
            throw new SluiceException(ErrorCode.PLAYBOOK, display + ": " + e.getMessage().lines().filter(l -> !l.isBlank())
                    .skip(1).findFirst().orElse(e.getMessage()).strip(), e);
        }
        ((PlaybookScript) script).attach(load);
        try {
            script.run();
        } catch (SluiceException e) {
            throw e.getMessage().startsWith(display + ":") ? e : load.placed(e);
        } catch (RuntimeException e) {
            throw load.placed(e);
        } finally {
            load.loading = false;
        }
        if (!load.seenPlaybook) {
            throw new SluiceException(ErrorCode.PLAYBOOK, display + ":1:1: no 'playbook' block. A playbook file reads: playbook 'Title', { step 'name', { … } }.");
        }
        if (load.steps.isEmpty()) {
            throw new SluiceException(ErrorCode.PLAYBOOK, display + ": the playbook has no steps. Add step 'name', { … } inside the playbook block.");
        }
        List<Step> steps = new ArrayList<>();
        for (LoadContext.StepDef d : load.steps) {
            SourceIndex.Call call = d.call();
            steps.add(new Step(steps.size() + 1, d.name(), index.checksum(call), call.line(), call.column(), ctx -> {
                Closure<?> c = (Closure<?>) d.body().clone();
                c.setDelegate(new StepDelegate(load, ctx));
                c.setResolveStrategy(Closure.DELEGATE_FIRST);
                try {
                    c.call();
                } catch (RuntimeException e) {
                    throw load.placed(e);
                }
            }, d.always(), d.atomic(), d.perTier(), d.requires()));
        }
        String id = fileName.endsWith(".groovy") ? fileName.substring(0, fileName.length() - ".groovy".length()) : fileName;
        Binding binding = script.getBinding();
        return new Playbook(file, display, id, load.title, load.description, load.tiers, load.params, steps, binding::setVariable, load.requires);
    }

    /** A source name whose class name is a valid Java identifier whatever the file is called: {@code long.groovy} → {@code Playbook_long.groovy}. */
    static String scriptName(String fileName) {
        String base = fileName.endsWith(".groovy") ? fileName.substring(0, fileName.length() - ".groovy".length()) : fileName;
        StringBuilder sb = new StringBuilder("Playbook_");
        base.codePoints().forEach(c -> sb.append(Character.isJavaIdentifierPart(c) && c != '$' ? Character.toString(c) : "_"));
        return sb + ".groovy";
    }

    /** The path as the operator would write it: relative to the current folder when inside it. */
    static String display(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : file.normalize().toString();
    }
}
