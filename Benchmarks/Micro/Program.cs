using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Running;

// Micro-benchmarks of the protocol code on its own (no sockets, no loop thread): ns and allocated bytes per
// operation. Run through Benchmarks/micro.sh, or pass BenchmarkDotNet's own flags, e.g. --filter '*Resp*'.
// Rows in the order the benchmarks are declared, class by class: the joined table reads as one list per protocol.
var config = DefaultConfig.Instance.WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared));
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
