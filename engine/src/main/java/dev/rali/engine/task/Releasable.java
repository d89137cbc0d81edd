package dev.rali.engine.task;

/**
 * A service that keeps resources open between calls because opening them is slow (a ViT-L bundle takes seconds);
 * {@link #release()} frees them (DJL native memory included) and the service stays usable: the next call opens
 * again. The app calls it when the project changes and at exit.
 */
public interface Releasable {
    void release();
}
