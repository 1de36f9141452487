package dev.clustering.faults;

/**
 * The lab could not be built or a fault could not be applied or removed: the suite fails with this
 * message (it is never skipped).
 */
public class LabException extends RuntimeException {

	LabException(String message) {
		super(message);
	}

	LabException(String message, Throwable cause) {
		super(message, cause);
	}

}
