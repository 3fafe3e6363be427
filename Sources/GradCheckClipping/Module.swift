// GradCheckClipping: see the module's DocC overview.
