// GradCheckHealth: see the module's DocC overview.
