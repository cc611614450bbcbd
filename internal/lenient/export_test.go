package lenient

// SetFastPath turns Decode's fast path on or off for the differential
// fuzz test of package lenient_test, which needs wire types from packages
// that import this one.
func SetFastPath(on bool) { fastPath = on }
