/// Which instruments a ``HealthMonitor`` runs, and how often.
///
/// The default is cheap: the loss and every gradient's norm and max-abs (one pass over
/// the gradients, needed for the global norm anyway) on every step; weight and update
/// norms (one more pass over each, and the loop must form the update) and activation
/// statistics (a pass over every layer's output) on step 1 and every 10th step. The
/// detectors read medians, which a sample every 10 steps estimates well.
public struct MonitorOptions: Sendable, Equatable {
    /// Measure weight and update norms every this many steps (and on step 1); 0 never.
    /// Default 10.
    public var weightNormsEvery = 10
    /// Measure activation statistics every this many steps (and on step 1); 0 never.
    /// Default 10.
    public var activationsEvery = 10
    /// Evaluate the live alert rules. Default `true`.
    public var alerts = true
    /// The thresholds of the live rules (and of ``HealthMonitor/report()``).
    public var thresholds = HealthThresholds()
    /// Keep the records in memory (``HealthMonitor/log``) so that
    /// ``HealthMonitor/report()`` works without reading the file back. About 40 bytes per
    /// parameter per step. Default `true`.
    public var keepsLog = true

    /// The defaults.
    public init() {}

    /// Every instrument on every step: for short runs and debugging.
    public static var everything: MonitorOptions {
        var o = MonitorOptions()
        o.weightNormsEvery = 1
        o.activationsEvery = 1
        return o
    }

    /// Whether an instrument that runs every `every` steps runs on `step`.
    static func due(_ every: Int, step: Int, ordinal: Int) -> Bool {
        every > 0 && (ordinal == 1 || step % every == 0)
    }
}
