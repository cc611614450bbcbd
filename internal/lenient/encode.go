package lenient

// NonNil makes a nil slice empty, so that lists are emitted as [] and never
// null (docs/PROTOCOL.md §4): peers written in Java or C# often crash on a
// null list.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
