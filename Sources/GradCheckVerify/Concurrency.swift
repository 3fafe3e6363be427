import Foundation

/// A mutual-exclusion lock (Foundation's `NSLock`, named for what it is used as here).
typealias NSLockLike = NSLock

/// The number of cores to use by default.
func _processorCount() -> Int { ProcessInfo.processInfo.activeProcessorCount }
