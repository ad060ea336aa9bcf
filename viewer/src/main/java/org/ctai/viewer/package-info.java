/**
 * The node's web page and JSON API over the history rows that module scp writes (schema {@code scp}).
 *
 * <p>The public face is small: {@link org.ctai.viewer.WebServer} (started by the node with a
 * {@link org.ctai.viewer.WebConfig}, a {@link javax.sql.DataSource} and a {@link org.ctai.viewer.NodeStatus}),
 * {@link org.ctai.viewer.PasswordHasher} for {@code web.users} hashes (the history benchmark lives in module bench).
 * Everything else (sessions, login throttling, the SQL reads, lesion tracking, the retry SQL, metrics, static
 * files) is package-private machinery. This module reads scp's tables and writes them only to retry a job or its
 * deliveries ({@code Requeue}); it imports neither scp nor sr-writer.
 */
package org.ctai.viewer;
