package dev.sluice.console;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell's local (in-process) execution engine on a {@link SharedLoaderDelegate}, which also hands the real exception
 * a snippet threw to the console (JShell only passes on its class name, message and stack), for {@code lastError}, and
 * keeps where each variable lives, so the console can hand the journal the object a snippet showed (JShell only passes
 * on its text).
 */
final class SharedExecution implements ExecutionControlProvider {
    private final ClassLoader parent;
    private final Consumer<Throwable> thrown;
    private volatile ClassLoader snippetLoader;
    /** Each snippet variable ({@code x}, {@code $3}) by name: the static field of the wrapper class JShell made for it. */
    private final Map<String, Field> variables = new ConcurrentHashMap<>();

    SharedExecution(ClassLoader parent, Consumer<Throwable> thrown) {
        this.parent = parent;
        this.thrown = thrown;
    }

    @Override
    public String name() {
        return "sluice-local";
    }

    /** The loader snippet classes live in (a child of the DSL's loader), once JShell has started. */
    ClassLoader snippetLoader() {
        return snippetLoader;
    }

    /**
     * The current value of snippet variable {@code name}; {@code found[0]} says whether there is one. Read on the JShell
     * thread right after the snippet that set it.
     */
    Object variable(String name, boolean[] found) {
        Field f = variables.get(name);
        found[0] = false;
        if (f == null) {
            return null;
        }
        try {
            Object v = f.get(null);
            found[0] = true;
            return v;
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
        SharedLoaderDelegate delegate = new SharedLoaderDelegate(parent);
        snippetLoader = delegate.loader();
        return new LocalExecutionControl(delegate) {
            @Override
            protected String throwConvertedInvocationException(Throwable cause) throws RunException, InternalException {
                thrown.accept(cause);
                return super.throwConvertedInvocationException(cause);
            }

            @Override
            public String invoke(String className, String methodName) throws RunException, InternalException, EngineTerminationException {
                String shown = super.invoke(className, methodName);
                try {
                    // A variable snippet's wrapper holds it as a public static field of its own name.
                    for (Field f : findClass(className).getDeclaredFields()) {
                        int m = f.getModifiers();
                        if (Modifier.isStatic(m) && Modifier.isPublic(m) && !f.isSynthetic()) {
                            f.setAccessible(true); // the wrapper class itself is not public
                            variables.put(f.getName(), f);
                        }
                    }
                } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                    // no variable to hand on: the journal records the text shown, as before
                }
                return shown;
            }
        };
    }
}
