/**
 * The node's configuration: {@link org.ctai.scp.config.NodeConfig}, an immutable record tree validated at start
 * by {@link org.ctai.scp.config.ConfigLoader} (shipped conf/ctai.conf, a file, environment, {@code --key=value});
 * a bad key or value is a {@link org.ctai.scp.config.ConfigException} naming it.
 */
package org.ctai.scp.config;
