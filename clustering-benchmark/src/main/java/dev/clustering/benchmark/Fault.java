package dev.clustering.benchmark;

/**
 * What happens to the leader's process in a scenario of candidate processes (zookeeper, consul).
 */
enum Fault {

	STOP("graceful stop (SIGTERM)"),

	KILL("kill -9"),

	FREEZE("SIGSTOP, SIGCONT once another leads");

	final String label;

	Fault(String label) {
		this.label = label;
	}

}
