package io.copytrader.config;

/** A configuration value is missing or out of range; the message names the variable, the value and the range. */
public class InvalidSettingException extends RuntimeException {
    public InvalidSettingException(String message) {
        super(message);
    }
}
