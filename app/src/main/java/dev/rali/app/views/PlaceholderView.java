package dev.rali.app.views;

import javafx.scene.Node;

/** A planned view shown disabled in the navigation ("coming soon"). */
public final class PlaceholderView implements AppView {
    private final String title;
    private final Node node;

    public PlaceholderView(String title, String plan) {
        this.title = title;
        this.node = Ui.emptyState(title + " — coming soon", plan);
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public Node node() {
        return node;
    }
}
