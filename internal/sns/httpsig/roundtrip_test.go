package httpsig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// echoHandler answers with the authenticated origin and the body it read.
var echoHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	origin, ok := OriginFrom(r.Context())
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", contentTypeJSON)
	fmt.Fprintf(w, `{"code":0,"error":"","origin":%q,"ok":%v,"got":%d}`, origin, ok, len(body))
})

// loopback starts server-b on 127.0.0.1 and returns a client of server-a
// whose transport goes through tamper (nil: untouched).
func loopback(t *testing.T, f *fixture, tamper func(*http.Response, *http.Request)) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewServer(mustVerifier(t, f.options("server-b")).Middleware(echoHandler))
	t.Cleanup(srv.Close)
	var base http.RoundTripper = srv.Client().Transport
	if tamper != nil {
		base = tamperingProxy{base, tamper}
	}
	tr := &Transport{Base: base, Signer: f.a, Verifier: mustVerifier(t, f.options("server-a")), Destination: "server-b"}
	return srv, &http.Client{Transport: tr}
}

// tamperingProxy stands for whatever sits between the servers.
type tamperingProxy struct {
	base   http.RoundTripper
	tamper func(*http.Response, *http.Request)
}

func (p tamperingProxy) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.base.RoundTrip(req)
	if err == nil {
		p.tamper(resp, req)
	}
	return resp, err
}

func setBody(resp *http.Response, b []byte) {
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
}

func TestRoundTripOverLoopback(t *testing.T) {
	f := newFixture(t)
	srv, client := loopback(t, f, nil)
	for _, tc := range []struct {
		method string
		body   []byte
	}{{"POST", chatBody}, {"GET", nil}, {"POST", []byte{}}} {
		req := newRequest(t, tc.method, srv.URL+"/sns/chat?x=%41&y=a+b", tc.body)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.method, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := fmt.Sprintf(`{"code":0,"error":"","origin":"server-a","ok":true,"got":%d}`, len(tc.body))
		if resp.StatusCode != 200 || string(got) != want {
			t.Errorf("%s: %d %s, want 200 %s", tc.method, resp.StatusCode, got, want)
		}
		if req.Header.Get("Signature") != "" {
			t.Errorf("the transport modified the caller's request")
		}
	}
}

func TestClientRejectsTamperedResponses(t *testing.T) {
	f := newFixture(t)
	var previous http.Header // the signed headers of the previous response
	tests := []struct {
		name   string
		reason Reason
		tamper func(*http.Response, *http.Request)
	}{
		{"signature stripped", ReasonSignatureMissing, func(r *http.Response, _ *http.Request) {
			r.Header.Del("Signature")
			r.Header.Del("Signature-Input")
		}},
		{"body altered", ReasonDigestMismatch, func(r *http.Response, _ *http.Request) {
			setBody(r, []byte(`{"code":0,"error":"","origin":"server-x","ok":true,"got":0}`))
		}},
		{"status altered", ReasonSignatureInvalid, func(r *http.Response, _ *http.Request) { r.StatusCode = 201 }},
		{"signature altered", ReasonSignatureInvalid, func(r *http.Response, _ *http.Request) {
			sig := r.Header.Get("Signature")
			r.Header.Set("Signature", sig[:10]+flip(sig[10])+sig[11:])
		}},
		{"binding removed", ReasonMalformedSignature, func(r *http.Response, _ *http.Request) {
			r.Header.Set("Signature-Input", strings.Replace(r.Header.Get("Signature-Input"), ` "signature";req;key="imi"`, "", 1))
		}},
		{"bound to another request", ReasonSignatureInvalid, func(r *http.Response, _ *http.Request) {
			// Replay the signed answer to an earlier request: its headers
			// and body are genuine, but it covers another request's signature.
			if previous != nil {
				for _, k := range []string{"Signature", "Signature-Input", "Content-Digest"} {
					r.Header[k] = previous[k]
				}
			}
		}},
		{"answered by another server", ReasonUnexpectedOrigin, func(r *http.Response, req *http.Request) {
			// server-c, a registered server, answers a request meant for server-b.
			c, certC := f.ca.server(t, "server-c")
			f.dir["server-c"] = &ServerInfo{ServerID: "server-c", Certificate: certC}
			body, _ := io.ReadAll(r.Body)
			setBody(r, body)
			h := http.Header{"Content-Type": {contentTypeJSON}}
			if err := c.SignResponse(h, r.StatusCode, body, req); err != nil {
				t.Fatal(err)
			}
			r.Header = h
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, client := loopback(t, f, func(r *http.Response, req *http.Request) {
				if previous == nil {
					previous = r.Header.Clone()
					return
				}
				tc.tamper(r, req)
			})
			previous = nil
			get := func() error {
				resp, err := client.Get(srv.URL + "/sns/users?userID=u1@server-b")
				if err == nil {
					resp.Body.Close()
				}
				return err
			}
			if err := get(); err != nil {
				t.Fatalf("untouched response refused: %v", err)
			}
			err := get()
			var ae *AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("got %v, want an *AuthError", err)
			}
			if ae.Side != SideResponse || ae.Reason != tc.reason || ae.Reported || ae.Peer != "server-b" {
				t.Errorf("got %+v, want a response error with reason %s", ae, tc.reason)
			}
		})
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestClientReportsRefusals(t *testing.T) {
	f := newFixture(t)
	srv, client := loopback(t, f, nil)
	tr := client.Transport.(*Transport)

	// An authenticated refusal: server-b says our clock is off.
	tr.Signer = withClock(f.a, -time.Hour)
	_, err := client.Get(srv.URL + "/sns/users?userID=u1")
	var ae *AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want an *AuthError", err)
	}
	if !ae.Reported || ae.Side != SideRequest || ae.Reason != ReasonClockSkew || ae.Status != 401 || ae.Unverified != "" || ae.Peer != "server-b" {
		t.Errorf("got %+v, want an authenticated clock_skew refusal reported by server-b", ae)
	}
	if !strings.Contains(ae.Error(), "server-b refused the request: clock_skew (HTTP 401)") {
		t.Errorf("message %q", ae.Error())
	}

	// A refusal whose signature a proxy stripped: still reported, flagged.
	tr.Signer = f.a
	tr.Destination = "server-c" // server-b refuses: wrong destination
	tr.Base = tamperingProxy{tr.Base, func(r *http.Response, _ *http.Request) { r.Header.Del("Signature") }}
	_, err = client.Get(srv.URL + "/sns/users?userID=u1")
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want an *AuthError", err)
	}
	if !ae.Reported || ae.Reason != ReasonWrongDestination || ae.Status != 421 || ae.Unverified == "" {
		t.Errorf("got %+v, want an unauthenticated wrong_destination refusal", ae)
	}
}

// An application's failure, with no reason or a reason word of its own, is
// a normal response once authenticated: only this layer's reasons become
// an *AuthError.
func TestApplicationErrorsPassThrough(t *testing.T) {
	f := newFixture(t)
	for _, answer := range []string{
		`{"code":1,"error":"no such user"}`,
		`{"code":1,"error":"no such user","reason":"unknown_user"}`,
	} {
		srv := httptest.NewServer(mustVerifier(t, f.options("server-b")).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(404)
			io.WriteString(w, answer)
		})))
		client := &http.Client{Transport: &Transport{Signer: f.a, Verifier: mustVerifier(t, f.options("server-a")), Destination: "server-b"}}
		resp, err := client.Get(srv.URL + "/sns/users?userID=nobody")
		if err != nil {
			t.Fatalf("%s: %v", answer, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != 404 || string(body) != answer {
			t.Errorf("got %d %s, want 404 %s", resp.StatusCode, body, answer)
		}
	}
	if Reason("unknown_user").Known() || !ReasonClockSkew.Known() {
		t.Error("Known")
	}
}

func TestManagementPathsUseTheStringEnvelope(t *testing.T) {
	f := newFixture(t)
	h := mustVerifier(t, f.options("server-b")).Middleware(echoHandler)
	for _, path := range []string{"/sns/restApi/managerserver/servers", "/sns/restApi/imServer/servermgr/receivenotify"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newRequest(t, "POST", "http://server-b.test"+path, []byte(`{}`)))
		want := `{"code":"1","desc":"no imi signature: every interconnection request must be signed (docs/PROTOCOL.md, section 3)","reason":"signature_missing"}`
		if rec.Code != 401 || rec.Body.String() != want {
			t.Errorf("%s: %d %s\nwant 401 %s", path, rec.Code, rec.Body, want)
		}
	}
}
