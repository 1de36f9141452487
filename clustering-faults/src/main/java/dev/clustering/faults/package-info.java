/**
 * The fault suite: a lab of sample processes, each in its own Linux network namespace, the real
 * network faults and transport attacks done to them, and the checker of the history they record
 * outside themselves.
 */
package dev.clustering.faults;
