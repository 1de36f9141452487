package dev.clustering.discovery.etcd;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One real etcd for all the tests of a class (started before the first, stopped by PID after the
 * last), with an administrative client to look at what the tests wrote.
 */
abstract class SharedEtcd {

	static EtcdServer etcd;

	static Client admin;

	@BeforeAll
	static void startEtcd() throws Exception {
		etcd = EtcdServer.start();
		admin = etcd.client();
	}

	@AfterAll
	static void stopEtcd() {
		if (etcd != null) {
			etcd.close();
			etcd = null;
		}
	}

}
