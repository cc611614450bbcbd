package wire

// orEmpty makes a nil slice empty, so that lists are emitted as [] and not
// null: peers written in Java or C# often crash on a null list.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
