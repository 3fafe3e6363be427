import GradCheckCLI

GradCheckCommand.main()
