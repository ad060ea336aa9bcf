/**
 * The node's database ({@link org.ctai.scp.storage.Database}: embedded or external PostgreSQL, Flyway migrations,
 * HikariCP; the embedded server supervised and restarted if it dies, a configured one watched so that its absence
 * is known at once; the data folder's id checked against the database's at start), writes that outlast an outage
 * ({@link org.ctai.scp.storage.Reconnecting}), this node's heartbeat row for the cluster's health view
 * ({@link org.ctai.scp.storage.NodeHeartbeat}) and retention ({@link org.ctai.scp.storage.Cleaner}).
 */
package org.ctai.scp.storage;
