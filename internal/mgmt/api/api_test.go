package api

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/lenient"
)

const csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"

func TestMarshalExact(t *testing.T) {
	rec := ServerRecord{ServerID: "vrv-linkdood", ServerName: "VRV", ProductType: "北信源/信源豆豆", ServerAddress: "https://im.vrv.com", Status: ServerSuspended, ContactName: "Li", ContactEmail: "li@vrv.com", ContactMobile: "13500001111"}
	name := "New"
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"OK", ptr(OK()), `{"code":"0","desc":"OK"}`},
		{"Fail", ptr(Fail("unknown_server", "no server x")), `{"code":"1","desc":"no server x","reason":"unknown_server"}`},
		{"ServersQuery all", &ServersQuery{}, `{"serverIds":[],"lastQueryTime":0}`},
		{"ServersQuery", &ServersQuery{ServerIDs: []string{"vrv-linkdood"}, LastQueryTime: 1700000000000}, `{"serverIds":["vrv-linkdood"],"lastQueryTime":1700000000000}`},
		{"ServersResponse", &ServersResponse{Envelope: OK(), Servers: []ServerRecord{rec}, ServerTime: 1700000000001},
			`{"code":"0","desc":"OK","servers":[{"serverId":"vrv-linkdood","serverName":"VRV","productType":"北信源/信源豆豆","serverAddress":"https://im.vrv.com","status":1,"contactName":"Li","contactEmail":"li@vrv.com","contactMobile":"13500001111"}],"serverTime":1700000000001}`},
		{"ServersResponse empty", &ServersResponse{Envelope: OK(), Servers: []ServerRecord{}}, `{"code":"0","desc":"OK","servers":[],"serverTime":0}`},
		{"GetServerCertRequest", &GetServerCertRequest{ServerID: "center-im"}, `{"serverId":"center-im"}`},
		{"GetServerCertResponse", &GetServerCertResponse{Envelope: OK(), ServerCert: "PEM"}, `{"code":"0","desc":"OK","serverCert":"PEM"}`},
		{"ReceiveNotifyRequest", &ReceiveNotifyRequest{ServerID: "center-im"}, `{"serverId":"center-im"}`},
		{"ReceiveNotifyResponse", &ReceiveNotifyResponse{Envelope: OK()}, `{"code":"0","desc":"OK"}`},
		{"SubmitRequest", &SubmitRequest{ServerID: "abc", ServerName: "ABC", ServerAddress: "https://im.abc.com", ContactName: "Li", ContactEmail: "li@abc.com", ContactMobile: "+86 135", ServerType: "t", Area: "CN", OwnerID: "o", CSR: "C"},
			`{"serverId":"abc","serverName":"ABC","serverAddress":"https://im.abc.com","contactName":"Li","contactEmail":"li@abc.com","contactMobile":"+86 135","serverType":"t","area":"CN","ownerId":"o","csr":"C"}`},
		{"ModifyRequest", &ModifyRequest{ServerID: "abc", Changes: ServerChanges{ServerName: &name}}, `{"serverId":"abc","changes":{"serverName":"New"}}`},
		{"CancelRequest", &CancelRequest{ServerID: "abc", Reason: "closing"}, `{"serverId":"abc","reason":"closing"}`},
		{"RequestIDResponse", &RequestIDResponse{Envelope: OK(), RequestID: "r1"}, `{"code":"0","desc":"OK","requestId":"r1"}`},
		{"StatusRequest", &StatusRequest{RequestID: "r1"}, `{"requestId":"r1"}`},
		{"StatusResponse", &StatusResponse{Envelope: OK(), RequestID: "r1", ServerID: "abc", Kind: KindSubmit, Status: RequestRejected, StatusReason: "no contract"},
			`{"code":"0","desc":"OK","requestId":"r1","serverId":"abc","kind":"submit","status":"rejected","statusReason":"no contract"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := json.Marshal(tc.v)
			if err != nil || string(out) != tc.want {
				t.Fatalf("got  %s %v\nwant %s", out, err, tc.want)
			}
			back := reflect.New(reflect.TypeOf(tc.v).Elem())
			if err := json.Unmarshal(out, back.Interface()); err != nil {
				t.Fatal(err)
			}
			want := tc.v
			if q, ok := want.(*ServersQuery); ok && q.ServerIDs == nil {
				want = &ServersQuery{ServerIDs: []string{}}
			}
			if !reflect.DeepEqual(back.Interface(), want) {
				t.Errorf("round trip: got %+v\nwant %+v", back.Interface(), want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestDecodeLenient(t *testing.T) {
	area := ""
	for _, tc := range []struct {
		name string
		in   string
		into any
		want any
	}{
		{"code as number", `{"code":0,"desc":"OK"}`, &Envelope{}, &Envelope{Code: "0", Desc: "OK"}},
		{"source M1 sample", `{"code":"0" ,"desc": "OK","servers":[{"serverId": " vrv-linkdood ","serverName":"x","productType":"p","serverAddress":"https://a","status": 0,"contactName":"n","contactEmail":"e","contactMobile":138}],"serverTime":1700000000000}`,
			&ServersResponse{}, &ServersResponse{Envelope: Envelope{Code: "0", Desc: "OK"}, Servers: []ServerRecord{{ServerID: "vrv-linkdood", ServerName: "x", ProductType: "p", ServerAddress: "https://a", ContactName: "n", ContactEmail: "e", ContactMobile: "138"}}, ServerTime: 1700000000000}},
		{"table 1 spellings", `{"serverId":"a","serverType":"t","serverStatus":"2"}`, &ServerRecord{}, &ServerRecord{ServerID: "a", ProductType: "t", Status: 2}},
		{"lastQueryTime as string", `{"serverIds":null,"lastQueryTime":"1700000000000"}`, &ServersQuery{}, &ServersQuery{LastQueryTime: 1700000000000}},
		{"ids trimmed", `{"serverIds":[" a ","b\t"]}`, &ServersQuery{}, &ServersQuery{ServerIDs: []string{"a", "b"}}},
		{"stray spaces and case", `{"serverid ":"abc"}`, &GetServerCertRequest{}, &GetServerCertRequest{ServerID: "abc"}},
		{"productType for serverType", `{"serverId":"abc","productType":"t"}`, &SubmitRequest{}, &SubmitRequest{ServerID: "abc", ServerType: "t"}},
		{"changes clear area", `{"serverId":"abc","changes":{"area":""}}`, &ModifyRequest{}, &ModifyRequest{ServerID: "abc", Changes: ServerChanges{Area: &area}}},
		{"changes null is no change", `{"serverId":"abc","changes":{"area":null}}`, &ModifyRequest{}, &ModifyRequest{ServerID: "abc"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := json.Unmarshal([]byte(tc.in), tc.into); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tc.into, tc.want) {
				t.Errorf("got  %+v\nwant %+v", tc.into, tc.want)
			}
		})
	}
}

func TestDecodeRefusals(t *testing.T) {
	for _, tc := range []struct {
		in   string
		into any
		want string
	}{
		{`{"productType":"a","serverType":"b"}`, &ServerRecord{}, `productType: sent twice (as "productType" and "serverType"): send each field once`},
		{`{"status":0,"serverStatus":"1"}`, &ServerRecord{}, `status: sent twice (as "status" and "serverStatus"): send each field once`},
		{`{"lastQueryTime":"yesterday"}`, &ServersQuery{}, `lastQueryTime: want an integer, got "yesterday"`},
		{`{"serverIds":"abc"}`, &ServersQuery{}, `serverIds: want an array, got string`},
		{`{"code":{"x":1}}`, &StatusResponse{}, `code: want a string or number, got object`},
		{`{"code":{"x":1}}`, &Envelope{}, `want a string or number, got object`},
		{`{"servers":[{"status":true}]}`, &ServersResponse{}, `servers[0].status: want an integer, got boolean`},
		{`{"changes":[]}`, &ModifyRequest{}, `changes: want an object, got array`},
	} {
		before := reflect.New(reflect.TypeOf(tc.into).Elem()).Interface()
		err := json.Unmarshal([]byte(tc.in), tc.into)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n err = %v\nwant %s", tc.in, err, tc.want)
		}
		if !reflect.DeepEqual(tc.into, before) {
			t.Errorf("%s: value changed on error: %+v", tc.in, tc.into)
		}
	}
}

func TestEmbeddingEnvelope(t *testing.T) {
	var r struct {
		Envelope
		Extra string `json:"extra"`
	}
	if err := json.Unmarshal([]byte(`{"code":0,"desc":"OK","extra":"kept"}`), &r); err != nil || r.Extra != "kept" || !r.Succeeded() {
		t.Errorf("got %+v, %v", r, err)
	}
}

func validSubmit() SubmitRequest {
	return SubmitRequest{ServerID: "abc", ServerName: "ABC IM", ServerAddress: "https://restApi.abc.com", ContactName: "Li",
		ContactEmail: "li@abc.com", ContactMobile: "+86 135-0000-1111", OwnerID: "abc-corp", CSR: csr}
}

func TestValidate(t *testing.T) {
	s := func(v string) *string { return &v }
	sub := func(edit func(*SubmitRequest)) *SubmitRequest { r := validSubmit(); edit(&r); return &r }
	for _, tc := range []struct {
		name string
		req  interface{ Validate() error }
		want string
	}{
		{"query all", &ServersQuery{}, ""},
		{"query ids", &ServersQuery{ServerIDs: []string{"a", "b_c"}, LastQueryTime: 5}, ""},
		{"query bad id", &ServersQuery{ServerIDs: []string{"a", "b.c"}}, `serverIds[1]: bad serverId "b.c": use 1-64 letters, digits, '_' or '-' only`},
		{"query negative time", &ServersQuery{LastQueryTime: -1}, "lastQueryTime: want milliseconds since 1970 or 0, got -1"},
		{"cert ok", &GetServerCertRequest{ServerID: "center-im"}, ""},
		{"cert none", &GetServerCertRequest{}, "serverId: empty serverId: give 1-64 letters, digits, '_' or '-'"},
		{"notify bad", &ReceiveNotifyRequest{ServerID: " x"}, `serverId: bad serverId " x": use 1-64 letters, digits, '_' or '-' only`},
		{"record ok", &ServerRecord{ServerID: "a", ServerAddress: "https://a.com"}, ""},
		{"record cancelled tombstone", &ServerRecord{ServerID: "a", Status: ServerCancelled}, ""},
		{"record status", &ServerRecord{ServerID: "a", Status: 3}, "status: want 0 (normal), 1 (suspended) or 2 (cancelled), got 3"},
		{"record address", &ServerRecord{ServerID: "a", ServerAddress: "ftp://a"}, `serverAddress: want a base URL like https://im.example.com:443, got "ftp://a"`},
		{"submit ok", ptr(validSubmit()), ""},
		{"submit http ok", sub(func(r *SubmitRequest) { r.ServerAddress = "http://127.0.0.1:8080/im" }), ""},
		{"submit no name", sub(func(r *SubmitRequest) { r.ServerName = " " }), "serverName: required"},
		{"submit bad id", sub(func(r *SubmitRequest) { r.ServerID = "abc.com" }), `serverId: bad serverId "abc.com": use 1-64 letters, digits, '_' or '-' only`},
		{"submit address query", sub(func(r *SubmitRequest) { r.ServerAddress = "https://a.com/?x=1" }), `serverAddress: a base URL has no user, query or fragment: "https://a.com/?x=1"`},
		{"submit address relative", sub(func(r *SubmitRequest) { r.ServerAddress = "a.com" }), `serverAddress: want a base URL like https://im.example.com:443, got "a.com"`},
		{"submit email", sub(func(r *SubmitRequest) { r.ContactEmail = "Li <li@abc.com>" }), `contactEmail: want a bare address like ops@example.com, got "Li <li@abc.com>"`},
		{"submit no email", sub(func(r *SubmitRequest) { r.ContactEmail = "" }), "contactEmail: required"},
		{"submit mobile", sub(func(r *SubmitRequest) { r.ContactMobile = "call me" }), `contactMobile: want a phone number like +86 135-0000-1111, got "call me"`},
		{"submit mobile short", sub(func(r *SubmitRequest) { r.ContactMobile = "12" }), `contactMobile: want 3 to 20 digits, got "12"`},
		{"submit control char", sub(func(r *SubmitRequest) { r.Area = "C\x00N" }), "area: contains a control character"},
		{"submit long", sub(func(r *SubmitRequest) { r.ServerType = strings.Repeat("x", 257) }), "serverType: longer than 256 bytes"},
		{"submit no owner", sub(func(r *SubmitRequest) { r.OwnerID = "" }), "ownerId: required"},
		{"submit no csr", sub(func(r *SubmitRequest) { r.CSR = "" }), "csr: required: a PEM PKCS#10 request (imictl csr create)"},
		{"submit cert not csr", sub(func(r *SubmitRequest) { r.CSR = strings.ReplaceAll(csr, "CERTIFICATE REQUEST", "CERTIFICATE") }), `csr: want a PEM block "CERTIFICATE REQUEST" (imictl csr create)`},
		{"submit two csrs", sub(func(r *SubmitRequest) { r.CSR = csr + csr }), "csr: data after the PEM block: send one request"},
		{"modify ok", &ModifyRequest{ServerID: "abc", Changes: ServerChanges{ContactEmail: s("new@abc.com"), Area: s("")}}, ""},
		{"modify csr only", &ModifyRequest{ServerID: "abc", CSR: csr}, ""},
		{"modify nothing", &ModifyRequest{ServerID: "abc"}, "changes: required: name at least one field to change, or send a csr"},
		{"modify serverId", &ModifyRequest{ServerID: "abc", Changes: ServerChanges{ServerID: s("xyz")}}, "changes.serverId: can't be changed: register a new server instead"},
		{"modify clear name", &ModifyRequest{ServerID: "abc", Changes: ServerChanges{ServerName: s("")}}, "changes.serverName: required"},
		{"modify bad email", &ModifyRequest{ServerID: "abc", Changes: ServerChanges{ContactEmail: s("x")}}, `changes.contactEmail: want a bare address like ops@example.com, got "x"`},
		{"modify bad csr", &ModifyRequest{ServerID: "abc", CSR: "junk"}, `csr: want a PEM block "CERTIFICATE REQUEST" (imictl csr create)`},
		{"cancel ok", &CancelRequest{ServerID: "abc", Reason: "closing down"}, ""},
		{"cancel no reason", &CancelRequest{ServerID: "abc"}, "reason: required"},
		{"status ok", &StatusRequest{RequestID: "r1"}, ""},
		{"status none", &StatusRequest{}, "requestId: required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var fe *lenient.FieldError
			if err == nil || err.Error() != tc.want || !errors.As(err, &fe) {
				t.Errorf("err = %v\nwant %s (a *lenient.FieldError)", err, tc.want)
			}
		})
	}
}
