/**
 * The {@code consul} strategy: nodes register in Consul as a service with a TTL check, learn of
 * each other by blocking queries on the service's passing instances, and elect a leader with a
 * Consul session and a KV lock whose {@code ModifyIndex} is the fencing token. The HTTP calls go
 * through {@link dev.clustering.discovery.consul.ConsulApi}, which the auto-configuration implements
 * on Spring Cloud Consul's client; this package stays plain Java. Each strategy runs one scheduler
 * thread ({@code cluster-topology-consul-<service>}: check passes, session renewals, acquisitions,
 * crash clean-up) and one thread per blocking query (discovery, election); what they decide is
 * published through volatile fields that any thread may read.
 */
package dev.clustering.discovery.consul;
