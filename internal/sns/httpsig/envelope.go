package httpsig

import (
	"encoding/json"
	"strings"
)

// contentTypeJSON is the standard's response type (§6.2.1.2).
const contentTypeJSON = "application/json;charset=utf-8"

// mgmtPrefix marks the paths whose envelope has a string code and "desc"
// (the management interfaces, and receivenotify served by IM servers).
const mgmtPrefix = "/sns/restApi/"

// refusalBody is the standard's error envelope for path plus the reason:
// {"code":"1","desc":...,"reason":...} under /sns/restApi/, else
// {"code":1,"error":...,"reason":...}.
func refusalBody(path string, e *AuthError) []byte {
	var v any
	if strings.HasPrefix(path, mgmtPrefix) {
		v = struct {
			Code   string `json:"code"`
			Desc   string `json:"desc"`
			Reason Reason `json:"reason"`
		}{"1", e.Message, e.Reason}
	} else {
		v = struct {
			Code   int    `json:"code"`
			Error  string `json:"error"`
			Reason Reason `json:"reason"`
		}{1, e.Message, e.Reason}
	}
	b, _ := json.Marshal(v) // cannot fail: strings and ints only
	return b
}

// parseRefusal reads a refusal envelope in either form. ok is false for
// any other body, including the standard's error envelope without a
// reason (a refusal by the application, not by authentication).
func parseRefusal(body []byte) (reason Reason, message string, ok bool) {
	var v struct {
		Reason Reason `json:"reason"`
		Desc   string `json:"desc"`
		Error  string `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil || v.Reason == "" {
		return "", "", false
	}
	if v.Desc != "" {
		return v.Reason, v.Desc, true
	}
	return v.Reason, v.Error, true
}
