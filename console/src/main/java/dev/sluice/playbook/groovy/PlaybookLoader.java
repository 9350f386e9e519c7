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

    public static Playbook load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SluiceException(ErrorCode.PLAYBOOK, "Playbook " + file + " does not exist. Give the path of a .groovy file, e.g. playbooks/tour.groovy.");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot read playbook " + file + ": " + e.getMessage() + ".", e);
        }
        return load(file, display(file), text);
    }

    static Playbook load(Path file, String display, String text) {
        String scriptName = file.getFileName().toString();
        SourceIndex index = SourceIndex.parse(display, scriptName, text);
        LoadContext load = new LoadContext(file, scriptName, index);

        CompilerConfiguration cc = new CompilerConfiguration();
        cc.setScriptBaseClass(PlaybookScript.class.getName());
        ImportCustomizer imports = new ImportCustomizer();
        imports.addStarImports("dev.sluice.tier", "dev.sluice.dsl");
        cc.addCompilationCustomizers(imports, new StepRequiresHoist());
        GroovyClassLoader gcl = new GroovyClassLoader(PlaybookLoader.class.getClassLoader(), cc);
        Script script;
        try {
            Class<?> cls = gcl.parseClass(new GroovyCodeSource(text, scriptName, "/sluice/playbook"), false);
            script = InvokerHelper.createScript(cls, new Binding());
        } catch (CompilationFailedException e) {
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
            }, d.always(), d.atomic(), d.requires()));
        }
        String id = scriptName.endsWith(".groovy") ? scriptName.substring(0, scriptName.length() - ".groovy".length()) : scriptName;
        Binding binding = script.getBinding();
        return new Playbook(file, display, id, load.title, load.description, load.tiers, load.params, steps, binding::setVariable, load.requires);
    }

    /** The path as the operator would write it: relative to the current folder when inside it. */
    static String display(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : file.normalize().toString();
    }
}
