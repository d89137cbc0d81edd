package dev.rali.app.views;

import dev.rali.engine.task.BackgroundTask;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.value.ObservableBooleanValue;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Pane;
import javafx.scene.layout.VBox;

/** Small shared UI helpers so views look alike. */
public final class Ui {
    private Ui() { }

    public static Label heading(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("view-heading");
        return l;
    }

    public static Label hint(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("hint");
        l.setWrapText(true);
        return l;
    }

    /** A centred message for an empty view, saying what to do next. */
    public static VBox emptyState(String title, String text) {
        Label t = new Label(title);
        t.getStyleClass().add("empty-title");
        Label x = hint(text);
        x.setMaxWidth(520);
        VBox box = new VBox(8, t, x);
        box.getStyleClass().add("empty-state");
        box.setPadding(new Insets(40));
        box.setAlignment(javafx.geometry.Pos.CENTER);
        return box;
    }

    public static String num(Double v, int digits) {
        return v == null || v.isNaN() ? "–" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    public static <T extends javafx.scene.control.Control> T tip(T c, String text) {
        if (text != null && !text.isEmpty()) {
            c.setTooltip(new Tooltip(text));
        }
        return c;
    }

    public static VBox page(javafx.scene.Node... children) {
        VBox v = new VBox(10, children);
        v.setPadding(new Insets(14));
        v.getStyleClass().add("page");
        return v;
    }

    /** A table column showing f of the row, with the preferred width given. */
    public static <S, T> TableColumn<S, T> column(String title, Function<S, T> f, double width) {
        TableColumn<S, T> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new SimpleObjectProperty<>(f.apply(cd.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    /** Puts the tool bar on top of a view's content, spaced and padded the way all views are; returns content. */
    public static <P extends BorderPane> P withBar(P content, Node bar) {
        content.setTop(bar);
        BorderPane.setMargin(bar, new Insets(0, 0, 8, 0));
        content.setPadding(new Insets(10));
        return content;
    }

    /**
     * Adds content and an {@link #emptyState} to root, showing the content while open is true and the empty state
     * otherwise.
     */
    public static VBox emptyUnless(Pane root, Node content, ObservableBooleanValue open, String title, String text) {
        VBox empty = emptyState(title, text);
        root.getChildren().addAll(content, empty);
        content.visibleProperty().bind(open);
        empty.visibleProperty().bind(javafx.beans.binding.Bindings.not(open));
        return empty;
    }

    /** Wires a Cancel button: id, disabled until a job runs, cancels the current job (if any) when pressed. */
    public static Button cancelButton(Button cancel, String id, Supplier<? extends BackgroundTask<?>> job) {
        cancel.setId(id);
        cancel.setDisable(true);
        cancel.setOnAction(e -> {
            BackgroundTask<?> j = job.get();
            if (j != null) {
                j.cancel();
            }
        });
        return cancel;
    }
}
