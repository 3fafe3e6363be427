// The umbrella module: `import GradCheck` brings in every user-facing module.
@_exported import GradCheckAutograd
@_exported import GradCheckNN
@_exported import GradCheckTensor
@_exported import GradCheckVerify
@_exported import GradCheckClipping
@_exported import GradCheckHealth
@_exported import GradCheckTraining
