// GradCheckTraining: see the module's DocC overview.
