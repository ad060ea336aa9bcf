package org.ctai.scp.config;

import org.ctai.scp.NodeException;

import java.util.List;

/** The configuration is unusable; the message names every bad key as the operator writes it, with its value. */
public final class ConfigException extends NodeException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
