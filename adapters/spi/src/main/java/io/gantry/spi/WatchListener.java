package io.gantry.spi;

/**
 * Receives a watch stream. Called from the adapter's own thread; implementations must not block
 * for long. After {@link #onFailure} no more calls come: the caller decides whether to watch again.
 */
public interface WatchListener {
    void onChange(EngineChange change);

    void onFailure(Throwable cause);
}
