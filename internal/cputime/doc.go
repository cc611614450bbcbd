// Package cputime reads the CPU time of the process, for the benchmarks:
// on a machine shared with other work, CPU time per operation is steadier
// than wall time, and 2 cores ÷ it is what the machine could do if nothing
// waited.
package cputime
