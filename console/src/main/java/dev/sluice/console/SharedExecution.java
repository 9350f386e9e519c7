package dev.sluice.console;

import java.util.Map;
import java.util.function.Consumer;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell's local (in-process) execution engine on a {@link SharedLoaderDelegate}, which also hands the real exception
 * a snippet threw to the console (JShell only passes on its class name, message and stack), for {@code lastError}.
 */
final class SharedExecution implements ExecutionControlProvider {
    private final ClassLoader parent;
    private final Consumer<Throwable> thrown;
    private volatile ClassLoader snippetLoader;

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
        };
    }
}
