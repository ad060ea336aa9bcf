package org.ctai.inference;

/**
 * Base of the unchecked exceptions thrown by the inference module, named for the step that failed:
 * {@link SeriesLoadException} (a series cannot be read), {@link ModelSpecException} (the model
 * specification and the model file disagree), and this class itself for a failure while running
 * the model.
 *
 * <p>Messages name the Series Instance UID, SOP Instance UID, model file or configuration key
 * concerned; they never contain patient attributes.
 */
public class InferenceException extends RuntimeException {

    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
