package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/imictl/imictl/internal/sns/httpsig"
)

// The two envelopes of the standard: /sns/... answers {"code":0,"error":""}
// (code a number), /sns/restApi/... answers {"code":"0","desc":"OK"} (code
// a string).
const mgmtPrefix = "/sns/restApi/"

// do builds, signs and sends c once.
func (t *T) do(c call) (*answer, error) {
	r, err := t.s.request(t.ctx, c)
	if err != nil {
		return nil, err
	}
	return t.s.exchange(r)
}

// get sends a signed GET of path.
func (t *T) get(path string) (*answer, error) {
	return t.do(call{method: http.MethodGet, path: path})
}

// post sends a signed POST of a JSON body to path.
func (t *T) post(path, body string) (*answer, error) {
	return t.do(call{method: http.MethodPost, path: path, body: []byte(body)})
}

// fields is a JSON object's members, undecoded, so that their JSON types
// can be checked.
type fields map[string]json.RawMessage

// ok checks a success: signed by the target and bound to the request,
// HTTP 200, a JSON Content-Type in UTF-8, and the success envelope with
// code of the right JSON type. It returns the answer's members.
func (t *T) ok(a *answer) (fields, error) {
	if a.status != http.StatusOK {
		return nil, fmt.Errorf("want HTTP 200 with code 0, got %s", a.describe())
	}
	return t.envelope(a, 0)
}

// refused checks a refusal: the status and reason of docs/PROTOCOL.md
// (3.6 for authentication, 6.2 for the application), the failure
// envelope of the path, and the answer signed by the target (bound to the
// request when it carried a signature).
func (t *T) refused(a *answer, status int, reason string) error {
	f, err := parseObject(a.body)
	got := ""
	if err == nil {
		got, _ = f.str("reason")
	}
	if a.status != status || got != reason {
		return fmt.Errorf("want HTTP %d with reason %s, got %s", status, reason, a.describe())
	}
	_, err = t.envelope(a, 1)
	return err
}

// envelope checks what every JSON answer must satisfy: authentication,
// Content-Type, and the envelope with the given code, whose type depends
// on the path.
func (t *T) envelope(a *answer, code int) (fields, error) {
	if err := t.signedByTarget(a); err != nil {
		return nil, err
	}
	if err := jsonContentType(a.header.Get("Content-Type")); err != nil {
		return nil, err
	}
	f, err := parseObject(a.body)
	if err != nil {
		return nil, fmt.Errorf("the answer is not a JSON object: %v: %s", err, a.describe())
	}
	raw, present := f["code"]
	if !present {
		return nil, fmt.Errorf("the envelope has no code: %s", a.describe())
	}
	text := "error"
	if strings.HasPrefix(a.req.req.URL.Path, mgmtPrefix) {
		text = "desc"
		if want := fmt.Sprintf(`"%d"`, code); string(raw) != want {
			return nil, fmt.Errorf(`code is %s: under %s the envelope's code is a JSON string, here %s (interfaces.md §3)`, raw, mgmtPrefix, want)
		}
	} else if want := fmt.Sprint(code); string(raw) != want {
		return nil, fmt.Errorf(`code is %s: under /sns/ the envelope's code is a JSON number, here %s (interfaces.md §5)`, raw, want)
	}
	msg, present, err := f.optStr(text)
	switch {
	case err != nil:
		return nil, err
	case code != 0 && (!present || msg == ""):
		return nil, fmt.Errorf("a failure must say what went wrong in %q: %s", text, a.describe())
	}
	if _, _, err := f.optStr("reason"); err != nil {
		return nil, err
	}
	return f, nil
}

// signedByTarget checks that a is signed by the target: bound to the
// request when the request carried a signature (3.4), and naming the
// target as signer when it did not (the signature then binds to nothing).
func (t *T) signedByTarget(a *answer) error {
	target := t.s.target.ServerID
	if !a.req.unbound {
		if err := t.s.authenticate(a, target); err != nil {
			return fmt.Errorf("the answer is not signed by %s and bound to the request (docs/PROTOCOL.md 3.4): %v", target, err)
		}
		return nil
	}
	input := a.header.Get("Signature-Input")
	switch {
	case a.header.Get(httpsig.HeaderOrigin) != target:
		return fmt.Errorf("the answer to a request without a usable signature must still be signed by the target (docs/PROTOCOL.md 3.4): %s is %q, want %q", httpsig.HeaderOrigin, a.header.Get(httpsig.HeaderOrigin), target)
	case a.header.Get("Signature") == "" || !strings.Contains(input, `keyid="`+target+`"`) || !strings.Contains(input, `tag="imi-resp"`):
		return fmt.Errorf("the answer to a request without a usable signature must still be signed by the target (docs/PROTOCOL.md 3.4): Signature-Input is %q", input)
	}
	return nil
}

// jsonContentType checks the standard's response type (§6.2.1.2):
// application/json with charset utf-8.
func jsonContentType(ct string) error {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" || !strings.EqualFold(params["charset"], "utf-8") {
		return fmt.Errorf("Content-Type is %q, want application/json;charset=utf-8 (§6.2.1.2)", ct)
	}
	return nil
}

func parseObject(body []byte) (fields, error) {
	var f fields
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&f); err != nil {
		return nil, err
	}
	if f == nil {
		return nil, fmt.Errorf("null is not an object")
	}
	if d.More() {
		return nil, fmt.Errorf("data after the JSON object")
	}
	return f, nil
}

// str is a member that must be a JSON string.
func (f fields) str(name string) (string, error) {
	s, present, err := f.optStr(name)
	if err == nil && !present {
		err = fmt.Errorf("the answer has no %q", name)
	}
	return s, err
}

// optStr is a member that, when present and not null, must be a JSON
// string.
func (f fields) optStr(name string) (string, bool, error) {
	raw, ok := f[name]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, fmt.Errorf("%q is %s, want a JSON string", name, raw)
	}
	return s, true, nil
}

// oneOrTwo is a member that must be the JSON number 1 or 2 (the
// standard's enumerations: verifyType, isFriend...).
func (f fields) oneOrTwo(name string) (int, error) {
	raw, ok := f[name]
	switch {
	case !ok:
		return 0, fmt.Errorf("the answer has no %q", name)
	case string(raw) == "1":
		return 1, nil
	case string(raw) == "2":
		return 2, nil
	}
	return 0, fmt.Errorf("%q is %s, want the JSON number 1 or 2", name, raw)
}

// array is a member that must be a JSON array ([] when empty, never null).
func (f fields) array(name string) ([]json.RawMessage, error) {
	raw, ok := f[name]
	if !ok {
		return nil, fmt.Errorf("the answer has no %q", name)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || list == nil {
		return nil, fmt.Errorf("%q is %s, want a JSON array ([] when empty)", name, raw)
	}
	return list, nil
}

// object is a member that must be a JSON object.
func (f fields) object(name string) (fields, error) {
	raw, ok := f[name]
	if !ok {
		return nil, fmt.Errorf("the answer has no %q", name)
	}
	o, err := parseObject(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is %s, want a JSON object", name, raw)
	}
	return o, nil
}

// query is path with name=value pairs, percent-encoded as UTF-8
// (§6.2.1.2), spaces as %20.
func query(path string, pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return path + "?" + strings.ReplaceAll(v.Encode(), "+", "%20")
}

// jsonString is s as a JSON string literal.
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
