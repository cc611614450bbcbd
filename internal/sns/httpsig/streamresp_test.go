package httpsig

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm3"
)

// A streamed body is signed over the digest the handler gives; a client
// that reads it whole verifies it like any response, and a body that does
// not match that digest is refused.
func TestStreamResponse(t *testing.T) {
	f := newFixture(t)
	file := bytes.Repeat([]byte("file content "), 1000)
	sum := sm3.Sum(file)
	other := sm3.Sum([]byte("other bytes"))
	for _, tc := range []struct {
		name   string
		digest []byte
		reason Reason
	}{
		{"matching digest", sum[:], ""},
		{"wrong digest", other[:], ReasonDigestMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			streamErr := make(chan error, 1) // the handler runs on the server's goroutine
			srv := httptest.NewServer(mustVerifier(t, f.options("server-b")).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/octet-stream")
				streamErr <- StreamResponse(w, http.StatusOK, tc.digest, int64(len(file)), bytes.NewReader(file))
			})))
			defer srv.Close()
			client := &http.Client{Transport: &Transport{Signer: f.a, Verifier: mustVerifier(t, f.options("server-a")), Destination: "server-b"}}
			resp, err := client.Get(srv.URL + "/sns/download/file?fileID=f1@server-b")
			if err := <-streamErr; err != nil {
				t.Fatalf("StreamResponse: %v", err)
			}
			var ae *AuthError
			if tc.reason != "" {
				if !errors.As(err, &ae) || ae.Reason != tc.reason || ae.Side != SideResponse {
					t.Fatalf("got %v, want a response refused with %s", err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if !bytes.Equal(got, file) || resp.Header.Get("Content-Type") != "application/octet-stream" {
				t.Errorf("got %d bytes (%s), want the file", len(got), resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestStreamResponseMisuse(t *testing.T) {
	f := newFixture(t)
	sum := sm3.Sum(nil)
	if err := StreamResponse(httptest.NewRecorder(), 200, sum[:], 0, strings.NewReader("")); err == nil || !strings.Contains(err.Error(), "Verifier.Middleware") {
		t.Errorf("outside the middleware: %v", err)
	}
	for _, tc := range []struct {
		name    string
		prepare func(w http.ResponseWriter) error
		want    string
	}{
		{"after a write", func(w http.ResponseWriter) error {
			io.WriteString(w, "x")
			return StreamResponse(w, 200, sum[:], 0, strings.NewReader(""))
		}, "after the response was started"},
		{"short digest", func(w http.ResponseWriter) error {
			return StreamResponse(w, 200, sum[:5], 0, strings.NewReader(""))
		}, "SM3 digest of 32 bytes"},
		{"negative size", func(w http.ResponseWriter) error {
			return StreamResponse(w, 200, sum[:], -1, strings.NewReader(""))
		}, "negative size"},
	} {
		var got error
		h := mustVerifier(t, f.options("server-b")).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = tc.prepare(w) }))
		h.ServeHTTP(httptest.NewRecorder(), signedChat(t, f.a, "server-b"))
		if got == nil || !strings.Contains(got.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, got, tc.want)
		}
	}
}
