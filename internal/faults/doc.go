// Package faults holds the fault tests of imictl: `imictl serve`, built
// from this tree, runs as child processes on loopback, and the tests kill
// them (SIGKILL, no chance to clean up), restart them, take the management
// server away across a change notification, lock or protect their
// databases, and race administrators against each other, then check that
// nothing acknowledged was lost or duplicated and that every refusal says
// what to do. The package has no code of its own: only these tests.
package faults
