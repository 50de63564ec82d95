package import Logging

/// A command's logger: to standard error, info and above unless `level` says otherwise.
package func makeLogger(_ label: String = "apex", level: Logger.Level = .info) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = level
    return logger
}
