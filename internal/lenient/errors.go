package lenient

import "errors"

// FieldError names the JSON field (a dotted path such as
// "messageInfo.content.size" or "users[2].userID") that failed to decode or
// validate, and what is wrong with it. Decode and every Validate in the wire
// packages return it, so a caller can both print it and read Path.
type FieldError struct {
	Path    string // JSON spelling as emitted, e.g. "messageInfo.recvID"
	Problem string // e.g. "required"
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Problem
	}
	return e.Path + ": " + e.Problem
}

// Errorf returns a FieldError for path.
func Errorf(path, problem string) error {
	return &FieldError{Path: path, Problem: problem}
}

// Within prefixes the path of err with parent ("messageInfo" turns
// "recvID: required" into "messageInfo.recvID: required"); a nil err stays nil
// and an error that is not a FieldError becomes one at parent.
func Within(parent string, err error) error {
	if err == nil {
		return nil
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		return &FieldError{Path: parent, Problem: err.Error()}
	}
	return &FieldError{Path: join(parent, fe.Path), Problem: fe.Problem}
}

func join(parent, child string) string {
	switch {
	case parent == "":
		return child
	case child == "":
		return parent
	case child[0] == '[':
		return parent + child
	default:
		return parent + "." + child
	}
}
