package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.app.ViewFeature;
import dev.rali.app.Dialogs;
import dev.rali.app.SampleProjectSource;
import dev.rali.engine.project.ProjectStore;
import java.io.File;
import java.nio.file.Path;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/** Start page: what the open project is, recent projects, create/open, and the sample project. */
public final class StartView implements AppView {
    public static final String TITLE = "Start";

    /** Registers this view in the navigation (META-INF/services/dev.rali.app.AppFeature). */
    public static final class Feature extends ViewFeature {
        public Feature() {
            // the sample-project builder behind "Open sample project".
            super("start", TITLE, 10, StartView::new, SampleProjectSource.class);
        }
    }

    private final AppContext ctx;
    private final VBox root;
    private final Label current = new Label();
    private final Label next = new Label();
    private final ListView<Path> recent = new ListView<>();
    private final javafx.scene.control.ProgressBar sampleProgress = new javafx.scene.control.ProgressBar(0);
    private final Label sampleStatus = new Label();
    private final Button sample = new Button("Open sample project");

    public StartView(AppContext ctx) {
        this.ctx = ctx;
        Button create = new Button("New project…");
        create.setId("newProject");
        create.setOnAction(e -> newProject());
        Button open = new Button("Open project…");
        open.setId("openProject");
        open.setOnAction(e -> openProject());
        sample.setId("openSample");
        sample.setOnAction(e -> openSample());
        sample.setDefaultButton(true);
        sampleProgress.setId("sampleProgress");
        sampleProgress.setPrefWidth(220);
        sampleStatus.setId("sampleStatus");
        sampleStatus.getStyleClass().add("hint");
        sampleProgress.setVisible(false);
        HBox buttons = Ui.noCollapse(new HBox(8, create, open, sample, sampleProgress, sampleStatus));
        buttons.setAlignment(Pos.CENTER_LEFT);
        current.setId("currentProject");
        current.getStyleClass().add("current-project");
        next.setId("nextStep");
        next.getStyleClass().add("hint");
        next.setWrapText(true);
        recent.setId("recentProjects");
        recent.setPlaceholder(new Label("No recent projects yet."));
        recent.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(Path p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : p.getFileName() + "   —   " + p.getParent());
            }
        });
        recent.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2 && recent.getSelectionModel().getSelectedItem() != null) {
                open(recent.getSelectionModel().getSelectedItem());
            }
        });
        recent.setOnKeyPressed(e -> {
            if (e.getCode() == javafx.scene.input.KeyCode.ENTER && recent.getSelectionModel().getSelectedItem() != null) {
                open(recent.getSelectionModel().getSelectedItem());
            }
        });
        Label title = new Label("RALI Workbench");
        title.getStyleClass().add("app-title");
        Label subtitle = Ui.hint("Image-quality assessment with reasoning as representation: "
                + "align CLIP to reasoning traces, compress, cluster, score.");
        VBox.setVgrow(recent, Priority.ALWAYS);
        root = Ui.page(title, subtitle, current, next, buttons, Ui.heading("Recent projects"), recent);
        root.setAlignment(Pos.TOP_LEFT);
        ctx.project().queriesProperty().addListener((o, a, b) -> refresh());
        refresh();
    }

    private void refresh() {
        ProjectStore store = ctx.project().store();
        if (store == null) {
            current.setText("No project open.");
            next.setText("Create a new project (Ctrl+N), open an existing .rali file (Ctrl+O), or open the sample "
                    + "project to explore a small synthetic dataset with reasoning traces, a trained run and its "
                    + "results (the first time it is built and trained here: a few minutes on a CPU, with progress).");
        } else {
            current.setText("Project: " + store.file());
            next.setText("Next: import a dataset in Datasets, check the reasoning traces in Trace audit, run the "
                    + "stages in Pipeline, then compare runs in Results. Score scores new images with a model bundle.");
        }
        recent.getItems().setAll(ctx.project().recent().list());
    }

    public void newProject() {
        FileChooser fc = new FileChooser();
        fc.setTitle("New RALI project");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("RALI project", "*" + ProjectStore.EXTENSION));
        fc.setInitialFileName("project" + ProjectStore.EXTENSION);
        File f = fc.showSaveDialog(ctx.window());
        if (f != null) {
            String name = f.getName().endsWith(ProjectStore.EXTENSION) ? f.getName() : f.getName() + ProjectStore.EXTENSION;
            open(f.toPath().resolveSibling(name));
        }
    }

    public void openProject() {
        FileChooser fc = new FileChooser();
        fc.setTitle("Open RALI project");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("RALI project", "*" + ProjectStore.EXTENSION));
        File f = fc.showOpenDialog(ctx.window());
        if (f != null) {
            open(f.toPath());
        }
    }

    public void open(Path file) {
        try {
            ctx.project().open(file);
        } catch (Exception e) {
            Dialogs.error(ctx.window(), "Cannot open project", e);
        }
    }

    private void openSample() {
        SampleProjectSource sample = ctx.services().get(SampleProjectSource.class);
        if (sample == null) {
            Dialogs.info(ctx.window(), "Sample project not available",
                    "This build has no sample-project builder wired in. Create a new project and import a "
                            + "dataset instead, or run `./rali demo` and open the project it writes.");
            return;
        }
        // The first build trains a run (minutes): progress and the current step show here and in the status bar.
        this.sample.setDisable(true);
        sampleProgress.setVisible(true);
        sampleProgress.setProgress(-1);
        sampleStatus.setText("building the sample project…");
        ctx.tasks().execute(dev.rali.engine.task.BackgroundTask.of("Build sample project", sample::sampleProject)
                .onProgress(p -> {
                    sampleProgress.setProgress(p.fraction());
                    sampleStatus.setText(p.text());
                })
                .onSuccess(this::open)
                .onFailure(e -> Dialogs.error(ctx.window(), "Cannot build the sample project", e))
                .onFinished(() -> {
                    this.sample.setDisable(false);
                    sampleProgress.setVisible(false);
                    sampleStatus.setText("");
                }));
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public Node node() {
        return root;
    }

    @Override
    public void shown() {
        refresh();
    }
}
