package dev.clustering.autoconfigure;

import java.util.List;
import java.util.Locale;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks the secrets under {@code cluster.*} in {@code /actuator/env} and {@code /actuator/configprops},
 * even when they show values: the cookie, every etcd password, and any key whose last word is
 * password, cookie, authorization or token (such as an {@code acl-token}), except fencing tokens,
 * which are not secrets. Keys are compared in any of Spring's relaxed forms ({@code acl-token},
 * {@code aclToken}, {@code CLUSTER_..._ACL_TOKEN}).
 */
class ClusterSanitizingFunction implements SanitizingFunction {

	private static final List<String> SECRET_ENDINGS = List.of("password", "cookie", "authorization", "token");

	private static final String NOT_SECRET = "fencingtoken";

	@Override
	public SanitizableData apply(SanitizableData data) {
		return isSecret(data.getKey()) ? data.withSanitizedValue() : data;
	}

	static boolean isSecret(String key) {
		if (key == null) {
			return false;
		}
		String lower = key.toLowerCase(Locale.ROOT);
		if (!lower.startsWith("cluster.") && !lower.startsWith("cluster_")) {
			return false;
		}
		// one form for a.b-c, a.bC and A_B_C, so that "token" and "fencing-token" are told apart
		String words = lower.replaceAll("[-_.\\[\\]]", "");
		return !words.endsWith(NOT_SECRET) && SECRET_ENDINGS.stream().anyMatch(words::endsWith);
	}

}
