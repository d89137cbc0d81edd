package dev.rali.app.views;

import dev.rali.app.AppContext;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.DirectoryChooser;

/**
 * "Model [bundle folder] [Model…]": the model bundle a saliency pane explains with. Every such field follows the
 * bundle last chosen anywhere in the app ({@link AppContext#modelBundleProperty()}), so choosing it once in the
 * Score view is enough.
 */
final class ModelBundleField extends HBox {
    private final TextField path = new TextField();

    ModelBundleField(AppContext ctx, String id) {
        super(6);
        setAlignment(Pos.CENTER_LEFT);
        path.setId(id);
        path.setPromptText("model bundle folder (*.rali-model)");
        path.setPrefColumnCount(22);
        HBox.setHgrow(path, Priority.ALWAYS);
        Path current = ctx.modelBundleProperty().get();
        path.setText(current == null ? "" : current.toString());
        ctx.modelBundleProperty().addListener((o, a, b) -> {
            String s = b == null ? "" : b.toString();
            if (!s.equals(path.getText())) {
                path.setText(s);
            }
        });
        path.textProperty().addListener((o, a, t) -> {
            Path p = bundle();
            if (p != null && Files.isDirectory(p)) {
                ctx.modelBundleProperty().set(p);
            }
        });
        Button browse = new Button("Model…");
        browse.setOnAction(e -> {
            DirectoryChooser dc = new DirectoryChooser();
            dc.setTitle("Model bundle folder");
            File f = dc.showDialog(ctx.window());
            if (f != null) {
                path.setText(f.getAbsolutePath());
            }
        });
        Label l = new Label("Model");
        l.setMinWidth(Label.USE_PREF_SIZE);
        browse.setMinWidth(Button.USE_PREF_SIZE);
        getChildren().addAll(l, path, browse);
    }

    /** The typed folder, or null when the field is empty. */
    Path bundle() {
        String s = path.getText() == null ? "" : path.getText().strip();
        return s.isEmpty() ? null : Path.of(s);
    }

    /** Null when the field names a folder; otherwise what to tell the user. */
    String problem() {
        Path p = bundle();
        if (p == null) {
            return "Choose a model bundle folder first (Model…).";
        }
        return Files.isDirectory(p) ? null : p + " is not a folder; choose a model bundle folder (*.rali-model).";
    }

    TextField field() {
        return path;
    }
}
