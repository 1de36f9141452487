package dev.clustering.faults;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the lab's external commands ({@code ip}, {@code nft}, {@code tc}, {@code kill}, {@code apt-get}):
 * a failure is an exception that names the command, its exit code and its output.
 */
final class Commands {

	private static final List<String> SYSTEM_DIRS = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
			"/usr/bin", "/sbin", "/bin");

	private Commands() {
	}

	/** A finished command. */
	record Result(List<String> command, int exit, String output) {

		boolean ok() {
			return this.exit == 0;
		}

		String describe() {
			return "`" + String.join(" ", this.command) + "` exited " + this.exit
					+ (this.output.isBlank() ? "" : ": " + this.output.strip());
		}

	}

	static String run(String... command) {
		Result result = exec(List.of(command), 120);
		if (!result.ok()) {
			throw new LabException(result.describe());
		}
		return result.output();
	}

	static Result exec(String... command) {
		return exec(List.of(command), 120);
	}

	static Result exec(List<String> command, int timeoutSeconds) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			process.getOutputStream().close();
			byte[] output;
			try (InputStream in = process.getInputStream()) {
				output = in.readAllBytes();
			}
			if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new LabException("`" + String.join(" ", command) + "` did not finish in " + timeoutSeconds + " s");
			}
			return new Result(command, process.exitValue(), new String(output, StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new LabException("cannot run `" + String.join(" ", command) + "`: " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LabException("interrupted while running `" + String.join(" ", command) + "`", ex);
		}
	}

	/** Whether an executable of this name is on the PATH or in the usual system directories. */
	static boolean available(String name) {
		String path = System.getenv().getOrDefault("PATH", "");
		for (String dir : (path + ":" + String.join(":", SYSTEM_DIRS)).split(":")) {
			if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
				return true;
			}
		}
		return false;
	}

	/** Whether this JVM runs as root (namespaces, routes and firewall rules need it). */
	static boolean isRoot() {
		Result id = exec("id", "-u");
		return id.ok() && id.output().strip().equals("0");
	}

	/**
	 * Makes sure a command exists, installing its Debian package with apt-get when it does not
	 * (running {@code apt-get update} only if the first attempt fails).
	 */
	static void require(String command, String debianPackage) {
		if (available(command)) {
			return;
		}
		if (!available("apt-get")) {
			throw new LabException("`" + command + "` is missing and there is no apt-get to install package "
					+ debianPackage + "; install it first");
		}
		List<String> install = List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq",
				"--no-install-recommends", debianPackage);
		Result first = exec(install, 600);
		if (!first.ok()) {
			exec(List.of("apt-get", "update", "-qq"), 600);
			Result second = exec(install, 600);
			if (!second.ok()) {
				throw new LabException("`" + command + "` is missing and installing " + debianPackage + " failed: "
						+ second.describe());
			}
		}
		if (!available(command)) {
			throw new LabException("installed " + debianPackage + " but `" + command + "` is still not found");
		}
	}

}
