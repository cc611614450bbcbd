package lenient

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

type inner struct {
	Size string `json:"size"`
	N    int8   `json:"n"`
}

func (v *inner) UnmarshalJSON(b []byte) error { return Decode(b, v) }

type base struct {
	Code  int    `json:"code"`
	Error string `json:"error"`
}

type sample struct {
	base
	FileID  string   `json:"fileID"`
	Members []string `json:"delateMembers" alias:"deleteMembers"`
	Inner   inner    `json:"inner"`
	Ptr     *inner   `json:"ptr,omitempty"`
	List    []inner  `json:"list"`
	Time    int64    `json:"time"`
	ID      string   `json:"id" lenient:"trim"`
	IDs     []string `json:"ids" lenient:"trim"`
	IDPtr   *string  `json:"idPtr" lenient:"trim"`
	Error   string   `json:"error"` // shadows base.Error, as in encoding/json
	Skip    string   `json:"-"`
	hidden  string
}

func TestDecodeLeniency(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     sample
	}{
		{"exact", `{"fileID":"f@a","code":1}`, sample{FileID: "f@a", base: base{Code: 1}}},
		{"stray spaces", `{" fileID ":"f@a","code\t":"1"}`, sample{FileID: "f@a", base: base{Code: 1}}},
		{"case", `{"FILEID":"f@a","Code":0}`, sample{FileID: "f@a"}},
		{"source misspelling", `{"delateMembers":["a@b"]}`, sample{Members: []string{"a@b"}}},
		{"alias", `{"deleteMembers":["a@b"]}`, sample{Members: []string{"a@b"}}},
		{"alias with case and space", `{" DeleteMembers":["a@b"]}`, sample{Members: []string{"a@b"}}},
		{"numbers as strings", `{"time":"1700000000000","inner":{"size":10,"n":"3"}}`,
			sample{Time: 1700000000000, Inner: inner{Size: "10", N: 3}}},
		{"strings in lists", `{"list":[{"size":1},{"size":"2"}],"delateMembers":[13500001111]}`,
			sample{List: []inner{{Size: "1"}, {Size: "2"}}, Members: []string{"13500001111"}}},
		{"nulls", `{"fileID":null,"code":null,"inner":null,"ptr":null,"list":null,"delateMembers":null}`, sample{}},
		{"pointer", `{"ptr":{"size":"5"}}`, sample{Ptr: &inner{Size: "5"}}},
		{"unknown ignored", `{"other":{"deep":[1,2]},"fileID":"x","-":"y","hidden":"z","Skip":"s"}`, sample{FileID: "x"}},
		{"unknown repeated ignored", `{"other":1,"other":2}`, sample{}},
		{"shadowing", `{"error":"outer"}`, sample{Error: "outer"}},
		{"empty", `{}`, sample{}},
		{"trimmed ids", `{"id":" vrv-linkdood ","ids":["\ta@b ",7],"idPtr":" x","fileID":" kept "}`,
			sample{ID: "vrv-linkdood", IDs: []string{"a@b", "7"}, IDPtr: ptr("x"), FileID: " kept "}},
		{"whitespace", " \n{ } \n", sample{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got sample
			if err := json.Unmarshal([]byte(tc.in), (*decoded)(&got)); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// decoded gives sample an UnmarshalJSON without giving it to sample itself.
type decoded sample

func (d *decoded) UnmarshalJSON(b []byte) error { return Decode(b, (*sample)(d)) }

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, path, problem string
	}{
		{"duplicate exact", `{"fileID":"a","fileID":"b"}`, "fileID", `sent twice (as "fileID" and "fileID"): send each field once`},
		{"duplicate by space", `{"fileID":"a","fileID ":"b"}`, "fileID", `sent twice (as "fileID" and "fileID "): send each field once`},
		{"duplicate by case", `{"code":0,"CODE":1}`, "code", `sent twice (as "code" and "CODE"): send each field once`},
		{"duplicate by alias", `{"delateMembers":[],"deleteMembers":["x"]}`, "delateMembers", `sent twice (as "delateMembers" and "deleteMembers"): send each field once`},
		{"duplicate null", `{"fileID":null,"fileID":"b"}`, "fileID", `sent twice (as "fileID" and "fileID"): send each field once`},
		{"bool for string", `{"fileID":true}`, "fileID", "want a string or number, got boolean"},
		{"object for int", `{"code":{}}`, "code", "want an integer, got object"},
		{"nested", `{"inner":{"size":[]}}`, "inner.size", "want a string or number, got array"},
		{"nested pointer", `{"ptr":{"n":"x"}}`, "ptr.n", `want an integer, got "x"`},
		{"list element", `{"list":[{},{"n":true}]}`, "list[1].n", "want an integer, got boolean"},
		{"overflow", `{"inner":{"n":300}}`, "inner.n", "300 is out of range"},
		{"string for list", `{"delateMembers":"a@b"}`, "delateMembers", "want an array, got string"},
		{"object for struct", `{"inner":"x"}`, "inner", "want an object, got string"},
		{"top array", `[]`, "", "want an object, got array"},
		{"top string", `"x"`, "", "want an object, got string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sample{FileID: "before"}
			err := Decode([]byte(tc.in), &got)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want a *FieldError", err, err)
			}
			if fe.Path != tc.path || fe.Problem != tc.problem {
				t.Errorf("got %q / %q, want %q / %q", fe.Path, fe.Problem, tc.path, tc.problem)
			}
			if !reflect.DeepEqual(got, sample{FileID: "before"}) {
				t.Errorf("value changed on error: %+v", got)
			}
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, in := range []string{`{"a":}`, `{"a":1`, `{"a":1} {}`, `{"a" 1}`, ``} {
		got := sample{FileID: "before"}
		if err := Decode([]byte(in), &got); err == nil {
			t.Errorf("%q: no error", in)
		}
		if got.FileID != "before" {
			t.Errorf("%q: value changed on error", in)
		}
	}
}

func TestDecodeNeedsStructPointer(t *testing.T) {
	var s sample
	for _, v := range []any{s, (*sample)(nil), new(int)} {
		if err := Decode([]byte(`{}`), v); err == nil {
			t.Errorf("%T: no error", v)
		}
	}
}

func TestWithin(t *testing.T) {
	for _, tc := range []struct {
		parent string
		err    error
		want   string
	}{
		{"messageInfo", Errorf("recvID", "required"), "messageInfo.recvID: required"},
		{"users", Errorf("[2].userID", "required"), "users[2].userID: required"},
		{"a", Errorf("", "bad"), "a: bad"},
		{"", Errorf("x", "bad"), "x: bad"},
		{"a", errors.New("plain"), "a: plain"},
	} {
		if got := Within(tc.parent, tc.err).Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	if Within("a", nil) != nil {
		t.Error("Within(nil) is not nil")
	}
}

func TestDecodeReplacesNotMerges(t *testing.T) {
	got := sample{FileID: "old", Time: 5, Members: []string{"x"}}
	if err := Decode([]byte(`{"code":1}`), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sample{base: base{Code: 1}}) {
		t.Errorf("got %+v, want only code set", got)
	}
}

// Unmarshal hands a type with its own decoder the bytes as given, and
// anything else to encoding/json.
func TestUnmarshal(t *testing.T) {
	var d decoded
	if err := Unmarshal([]byte(` {" FILEID ":"f@a"} `), &d); err != nil || d.FileID != "f@a" {
		t.Errorf("a wire type: %+v %v", d, err)
	}
	if err := Unmarshal([]byte(`{"fileID":`), &d); err == nil {
		t.Error("malformed JSON accepted")
	}
	var plain struct{ N int }
	if err := Unmarshal([]byte(`{"N":3}`), &plain); err != nil || plain.N != 3 {
		t.Errorf("a plain struct: %+v %v", plain, err)
	}
	if err := Unmarshal([]byte(`{"N":"3"}`), &plain); err == nil {
		t.Error("a plain struct decoded leniently")
	}
}
