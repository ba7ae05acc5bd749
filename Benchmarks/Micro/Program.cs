using BenchmarkDotNet.Running;

// Micro-benchmarks of the protocol code on its own (no sockets, no loop thread): ns and allocated bytes per
// operation. Run through Benchmarks/micro.sh, or pass BenchmarkDotNet's own flags, e.g. --filter '*Resp*'.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
