package dev.clustering.autoconfigure;

/**
 * A {@code cluster.*} property is wrong; start-up fails with the property, the problem and the fix.
 */
public class ClusterConfigurationException extends RuntimeException {

	private final String property;

	private final String action;

	/**
	 * Creates the exception.
	 * @param property the property at fault, such as {@code cluster.topologies.local.strategy}
	 * @param problem what is wrong with it
	 * @param action how to fix it
	 */
	public ClusterConfigurationException(String property, String problem, String action) {
		super(property + ": " + problem + ". " + action);
		this.property = property;
		this.action = action;
	}

	/**
	 * The property at fault.
	 * @return its name
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * How to fix it.
	 * @return the advice
	 */
	public String getAction() {
		return this.action;
	}

	/**
	 * The problem without the advice.
	 * @return the description
	 */
	public String getProblem() {
		String message = getMessage();
		return message.substring(0, message.length() - this.action.length() - 1).trim();
	}

}
