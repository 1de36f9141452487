package dev.clustering.transport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Logs the transport at WARN while a fuzz test class runs: a connection logs every rejected input at
 * DEBUG, which at a million executions is most of the time spent.
 */
final class QuietTransportLogs implements BeforeAllCallback, AfterAllCallback {

	private static final Logger LOGGER = (Logger) LoggerFactory.getLogger("dev.clustering.transport");

	private Level before;

	@Override
	public void beforeAll(ExtensionContext context) {
		this.before = LOGGER.getLevel();
		LOGGER.setLevel(Level.WARN);
	}

	@Override
	public void afterAll(ExtensionContext context) {
		LOGGER.setLevel(this.before);
	}

}
