package dev.sluice.playbook.groovy;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.util.Set;
import org.codehaus.groovy.ast.ClassCodeVisitorSupport;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.expr.ClassExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.MethodPointerExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.StaticMethodCallExpression;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;

/**
 * Refuses a playbook that calls {@code System.exit}, {@code Runtime.getRuntime().exit} or {@code .halt}: ending the JVM
 * from a step would stop Sluice between a step's work and its decision (and halt runs no shutdown hook at all). Runs
 * after names are resolved, so imports and static imports are seen through; a call through an untyped variable is left
 * to the run's shutdown hook, which rolls the step back and never exits 0.
 */
final class NoJvmExit extends CompilationCustomizer {
    private static final Set<String> CLASSES = Set.of("java.lang.System", "java.lang.Runtime");
    private static final Set<String> METHODS = Set.of("exit", "halt");

    private final String display;
    /** The first offending call, kept here because Groovy wraps what a customizer throws. */
    SluiceException refused;

    NoJvmExit(String display) {
        super(CompilePhase.CANONICALIZATION);
        this.display = display;
    }

    @Override
    public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        if (refused != null) {
            return;
        }
        new ClassCodeVisitorSupport() {
            @Override
            protected SourceUnit getSourceUnit() {
                return source;
            }

            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                if (METHODS.contains(call.getMethodAsString()) && runtimeOrSystem(call.getObjectExpression())) {
                    refuse(call, owner(call.getObjectExpression()) + "." + call.getMethodAsString());
                }
                super.visitMethodCallExpression(call);
            }

            @Override
            public void visitStaticMethodCallExpression(StaticMethodCallExpression call) {
                if (METHODS.contains(call.getMethod()) && CLASSES.contains(call.getOwnerType().getName())) {
                    refuse(call, call.getOwnerType().getNameWithoutPackage() + "." + call.getMethod());
                }
                super.visitStaticMethodCallExpression(call);
            }

            @Override
            public void visitMethodPointerExpression(MethodPointerExpression pointer) {
                if (METHODS.contains(pointer.getMethodName().getText()) && runtimeOrSystem(pointer.getExpression())) {
                    refuse(pointer, owner(pointer.getExpression()) + "." + pointer.getMethodName().getText());
                }
                super.visitMethodPointerExpression(pointer);
            }
        }.visitClass(classNode);
    }

    /** System or Runtime itself, {@code Runtime.getRuntime()}, {@code Runtime.runtime}, or anything typed Runtime. */
    private static boolean runtimeOrSystem(Expression e) {
        if (e instanceof ClassExpression c) {
            return CLASSES.contains(c.getType().getName());
        }
        if (e instanceof MethodCallExpression m && "getRuntime".equals(m.getMethodAsString())) {
            return runtimeOrSystem(m.getObjectExpression());
        }
        if (e instanceof StaticMethodCallExpression s && "getRuntime".equals(s.getMethod())) {
            return "java.lang.Runtime".equals(s.getOwnerType().getName());
        }
        if (e instanceof PropertyExpression p && "runtime".equals(p.getPropertyAsString())) {
            return runtimeOrSystem(p.getObjectExpression());
        }
        if (e instanceof org.codehaus.groovy.ast.expr.VariableExpression v) {
            return "java.lang.Runtime".equals(v.getOriginType().getName()); // Runtime r = …; r.exit(0)
        }
        return "java.lang.Runtime".equals(e.getType().getName());
    }

    private static String owner(Expression e) {
        return e instanceof ClassExpression c && c.getType().getName().equals("java.lang.System") ? "System" : "Runtime";
    }

    private void refuse(Expression at, String call) {
        if (refused == null) {
            refused = new SluiceException(ErrorCode.PLAYBOOK, display + ":" + at.getLineNumber() + ":" + at.getColumnNumber() + ": '" + call
                    + "' would end Sluice in the middle of the run, with nothing committed and nothing recorded. A step stops by throwing "
                    + "an exception or with a failing expect; remove the call.");
        }
    }
}
