package dev.rali.engine.params;

/**
 * A parameter that is unknown, of the wrong type or out of range. The message starts with the dotted key and, for
 * a misspelt key, suggests the nearest valid one.
 */
public final class ParamException extends IllegalArgumentException {
    public ParamException(String message) {
        super(message);
    }
}
