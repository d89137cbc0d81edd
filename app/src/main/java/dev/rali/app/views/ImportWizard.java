package dev.rali.app.views;

import dev.rali.app.DatasetImportAction;
import dev.rali.app.DatasetImportAction.ImportSpec;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;

/** Asks for a dataset layout, its folder and a name; OK is enabled only when all three make sense. */
public final class ImportWizard extends Dialog<ImportSpec> {
    final ComboBox<String> layout = new ComboBox<>();
    final TextField folder = new TextField();
    final TextField name = new TextField();
    final Label layoutInfo = new Label();
    /** Where the layouts are documented (shipped with the product; data/mos/FORMATS.md never was). */
    static final String DATASETS_DOC = "docs/DATASETS.md";

    /** Shown only when an import refused rows for leaving the folder: the GUI's --allow-outside-root. */
    final javafx.scene.control.CheckBox allowOutside = new javafx.scene.control.CheckBox(
            "Also import images whose path leads outside the dataset folder");

    public ImportWizard(Window owner, DatasetImportAction importer) {
        this(owner, importer, null, 0);
    }

    /**
     * The wizard filled with {@code again} (an import that refused {@code refused} rows whose image path leaves
     * the dataset folder), offering to allow such paths.
     */
    public ImportWizard(Window owner, DatasetImportAction importer, ImportSpec again, int refused) {
        setTitle("Import dataset");
        setHeaderText("Import a dataset into the project. Supported layouts and the files each expects are "
                + "described in " + DATASETS_DOC + " (the layout's line below says what it reads).");
        if (owner != null) {
            initOwner(owner);
        }
        List<String> layouts = importer.layouts();
        layout.getItems().setAll(layouts);
        if (!layouts.isEmpty()) {
            layout.getSelectionModel().select(0);
        }
        layout.setId("importLayout");
        layoutInfo.setId("importLayoutInfo");
        layoutInfo.setWrapText(true);
        layoutInfo.setMaxWidth(460);
        layout.valueProperty().addListener((o, a, l) -> layoutInfo.setText(l == null ? "" : importer.describe(l)));
        layoutInfo.setText(layout.getValue() == null ? "" : importer.describe(layout.getValue()));
        folder.setId("importFolder");
        folder.setPromptText("dataset folder, or its metadata file");
        folder.setPrefColumnCount(36);
        name.setId("importName");
        name.setPromptText("dataset name, e.g. koniq");
        Button browse = new Button("Browse…");
        browse.setOnAction(e -> {
            DirectoryChooser dc = new DirectoryChooser();
            dc.setTitle("Dataset folder");
            File f = dc.showDialog(getDialogPane().getScene().getWindow());
            if (f != null) {
                folder.setText(f.getAbsolutePath());
                if (name.getText().isBlank()) {
                    name.setText(f.getName().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-"));
                }
            }
        });
        Button file = new Button("File…");
        file.setOnAction(e -> {
            javafx.stage.FileChooser fc = new javafx.stage.FileChooser();
            fc.setTitle("Dataset metadata file (CSV, JSON, xlsx)");
            File f = fc.showOpenDialog(getDialogPane().getScene().getWindow());
            if (f != null) {
                folder.setText(f.getAbsolutePath());
            }
        });
        HBox folderRow = new HBox(6, folder, browse, file);
        HBox.setHgrow(folder, Priority.ALWAYS);
        GridPane g = new GridPane();
        g.setHgap(10);
        g.setVgap(8);
        g.addRow(0, new Label("Layout"), layout);
        g.add(layoutInfo, 1, 1);
        g.addRow(2, new Label("Source"), folderRow);
        g.addRow(3, new Label("Name"), name);
        if (again != null) {
            layout.setValue(again.layout());
            folder.setText(again.folder().toString());
            name.setText(again.name());
        }
        if (refused > 0) {
            allowOutside.setId("importAllowOutside");
            allowOutside.setSelected(false);
            Label warning = new Label(refused + (refused == 1 ? " row was" : " rows were") + " refused because its "
                    + "image path (e.g. \"../other/x.jpg\" or an absolute path) leads outside the dataset folder. "
                    + "Allow it only for metadata you trust: such a file may name any image on this computer, and "
                    + "the project would then read it. Rows already imported are kept.");
            warning.setId("importOutsideWarning");
            warning.setWrapText(true);
            warning.setMaxWidth(460);
            warning.getStyleClass().add("warning");
            g.add(allowOutside, 1, 4);
            g.add(warning, 1, 5);
        }
        getDialogPane().setContent(g);
        getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        getDialogPane().lookupButton(ButtonType.OK).disableProperty().bind(
                layout.valueProperty().isNull().or(folder.textProperty().isEmpty()).or(name.textProperty().isEmpty()));
        setResultConverter(b -> b == ButtonType.OK ? spec().orElse(null) : null);
    }

    /** The "outside the dataset folder" check box (shown only after such rows were refused). */
    public javafx.scene.control.CheckBox allowOutside() {
        return allowOutside;
    }

    /** What the fields say; the caller checks that the folder exists so it can say so. */
    public Optional<ImportSpec> spec() {
        if (name.getText().isBlank() || layout.getValue() == null || folder.getText().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new ImportSpec(layout.getValue(), Path.of(folder.getText().strip()), name.getText().strip(),
                allowOutside.isSelected()));
    }
}
