package dev.rali.app;

import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.stage.Window;
import org.controlsfx.dialog.ExceptionDialog;

/** Readable dialogs: one-line message on top, the stack trace in the expandable details. */
public final class Dialogs {
    private Dialogs() { }

    /** When set (screenshots, tests), errors are recorded here instead of opening a modal dialog. */
    public static volatile java.util.function.Consumer<String> headlessSink;

    public static void error(Window owner, String title, Throwable e) {
        String message = message(e);
        if (headlessSink != null) {
            headlessSink.accept(title + ": " + message);
            return;
        }
        FxTaskExecutor.onFxThread(() -> {
            ExceptionDialog d = new ExceptionDialog(e);
            d.setTitle(title);
            d.setHeaderText(title);
            d.setContentText(message);
            if (owner != null) {
                d.initOwner(owner);
            }
            d.show();
        });
    }

    /** When set (tests), answers yes/no questions instead of a modal dialog; receives the question text. */
    public static volatile java.util.function.Predicate<String> headlessConfirm;

    /** A yes/no question; true for yes. */
    public static boolean confirm(Window owner, String header, String text) {
        if (headlessConfirm != null) {
            return headlessConfirm.test(header + ": " + text);
        }
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, text, ButtonType.YES, ButtonType.NO);
        a.setHeaderText(header);
        if (owner != null) {
            a.initOwner(owner);
        }
        return a.showAndWait().orElse(ButtonType.NO) == ButtonType.YES;
    }

    public static void info(Window owner, String title, String text) {
        if (headlessSink != null) {
            headlessSink.accept(title + ": " + text);
            return;
        }
        Alert a = new Alert(Alert.AlertType.INFORMATION, text, ButtonType.OK);
        a.setTitle(title);
        a.setHeaderText(title);
        if (owner != null) {
            a.initOwner(owner);
        }
        a.show();
    }

    /** The most specific readable message in a cause chain (wrappers often say only "java.lang.X: ..."). */
    public static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString())
                || t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.lang.reflect.InvocationTargetException)) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return m;
    }
}
