package dev.rali.app.views.archfixtures;

import dev.rali.app.wiring.AppWiring;

/** Breaks "views do not use the wiring" on purpose (AppArchitectureTest). */
public final class WiringInAView {
    private WiringInAView() { }

    static Object services() {
        return AppWiring.services();
    }
}
