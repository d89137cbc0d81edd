package dev.rali.app.views;

import java.util.Locale;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
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
}
