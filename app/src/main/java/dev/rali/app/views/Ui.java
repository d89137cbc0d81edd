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
        // a wrapped hint keeps the height of all its lines: a VBox would otherwise squeeze it to "…"
        l.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
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
        c.setMinWidth(headerWidth(title));
        return c;
    }

    /**
     * The width a column needs to show its whole title (text, padding, room for the sort arrow): narrow windows
     * scroll the table sideways instead of cutting "PLCC (raw)" to "PLCC…".
     */
    public static double headerWidth(String title) {
        javafx.scene.text.Text t = new javafx.scene.text.Text(title);
        t.setFont(javafx.scene.text.Font.font(13));
        return Math.ceil(t.getLayoutBounds().getWidth()) + 26;
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

    /**
     * Keeps every label, button and check box in a tool bar at its full text width, so a narrow window (1024 px)
     * squeezes the text fields instead of turning "Score" or "Cancel" into "…"; returns the bar.
     */
    public static <P extends Pane> P noCollapse(P bar) {
        for (Node n : bar.getChildren()) {
            if (n instanceof javafx.scene.control.Labeled || n instanceof javafx.scene.control.ComboBoxBase<?>) {
                ((javafx.scene.layout.Region) n).setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            } else if (n instanceof javafx.scene.control.TextField t) {
                t.setMinWidth(Math.min(t.getMinWidth() > 0 ? t.getMinWidth() : 90, 90));
            }
        }
        return bar;
    }

    /**
     * A column of file names cut in the middle when too narrow ("astronaut…blur_3.png"): the start names the
     * scene, the end the distortion and level, which is what tells neighbours apart.
     */
    public static <S> TableColumn<S, String> middleEllipsis(TableColumn<S, String> c) {
        c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            {
                setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS);
            }

            @Override
            protected void updateItem(String v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty ? null : v);
                setTooltip(empty || v == null ? null : new Tooltip(v));
            }
        });
        return c;
    }

    /**
     * A column of file names cut so that their informative end survives (the distortion suffix of
     * "astronaut__gaussian_blur_3.png": "astro…gaussian_blur_3.png", where JavaFX's middle ellipsis gave
     * "astronaut_…blur_3.png"), refitted when the column is resized; the whole name in a tooltip.
     */
    public static <S> TableColumn<S, String> fileNameKeepingEnd(TableColumn<S, String> c) {
        c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            {
                setTextOverrun(javafx.scene.control.OverrunStyle.CLIP);
                widthProperty().addListener((o, a, b) -> fit());
            }

            @Override
            protected void updateItem(String v, boolean empty) {
                super.updateItem(v, empty);
                setTooltip(empty || v == null ? null : new Tooltip(v));
                fit();
            }

            private void fit() {
                String v = isEmpty() ? null : getItem();
                if (v == null) {
                    setText(null);
                    return;
                }
                int dot = v.lastIndexOf('.');
                String stem = dot > 0 ? v.substring(0, dot) : v;
                double room = getWidth() - snappedLeftInset() - snappedRightInset() - 2;
                setText(room <= 0 ? v : fitKeepingEnd(v, DatasetsView.informativeEnd(stem), getFont(), room));
            }
        });
        return c;
    }

    /**
     * {@code text} cut to {@code width} pixels in {@code font} keeping its end from {@code keepFrom} on: the start
     * is shortened first ("astro…brighten_1"), the kept end only when it alone is too wide ("…ssian_noise_5").
     * For captions where the end carries the information (a distortion suffix) and JavaFX's own middle ellipsis
     * would cut it.
     */
    public static String fitKeepingEnd(String text, int keepFrom, javafx.scene.text.Font font, double width) {
        if (textWidth(text, font) <= width) {
            return text;
        }
        int from = Math.max(0, Math.min(keepFrom, text.length()));
        String tail = text.substring(from);
        for (int k = from - 1; k >= 1; k--) {
            String c = text.substring(0, k) + "…" + tail;
            if (textWidth(c, font) <= width) {
                return c;
            }
        }
        for (int j = from; j < text.length(); j++) {
            String c = "…" + text.substring(j);
            if (textWidth(c, font) <= width) {
                return c;
            }
        }
        return "…";
    }

    /** The width {@code text} takes in {@code font}. */
    public static double textWidth(String text, javafx.scene.text.Font font) {
        javafx.scene.text.Text t = new javafx.scene.text.Text(text);
        t.setFont(font);
        return t.getLayoutBounds().getWidth();
    }

    /** Where export dialogs open: the open project's folder (not the directory the app was started from). */
    public static java.io.File exportFolder(dev.rali.app.AppContext ctx) {
        var store = ctx.project().store();
        if (store == null) {
            return null;
        }
        java.nio.file.Path dir = store.file().toAbsolutePath().getParent();
        return dir != null && java.nio.file.Files.isDirectory(dir) ? dir.toFile() : null;
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
