package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

func asAuth(t *testing.T, err error) *httpsig.AuthError {
	t.Helper()
	var ae *httpsig.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v (%T), want an *httpsig.AuthError", err, err)
	}
	return ae
}

func TestResponseAuthentication(t *testing.T) {
	ok := `{"code":0,"error":"","isFriend":1}`
	tests := []struct {
		name     string
		tamper   clienttest.Tamper
		reason   httpsig.Reason
		side     httpsig.Side
		reported bool
	}{
		{"altered body", func(h http.Header, s int, b []byte) (int, []byte) {
			return s, []byte(strings.Replace(string(b), `"isFriend":1`, `"isFriend":2`, 1))
		}, httpsig.ReasonDigestMismatch, httpsig.SideResponse, false},
		{"altered status", func(h http.Header, s int, b []byte) (int, []byte) { return 202, b },
			httpsig.ReasonSignatureInvalid, httpsig.SideResponse, false},
		{"stripped signature", func(h http.Header, s int, b []byte) (int, []byte) {
			h.Del("Signature")
			h.Del("Signature-Input")
			return s, b
		}, httpsig.ReasonSignatureMissing, httpsig.SideResponse, false},
		{"forged refusal", func(h http.Header, s int, b []byte) (int, []byte) {
			h.Del("Signature")
			return 403, []byte(`{"code":1,"error":"go away","reason":"forbidden_by_policy"}`)
		}, httpsig.ReasonForbiddenByPolicy, httpsig.SideRequest, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, answer(200, ok))
			w.peer.SetTamper(tt.tamper)
			_, err := w.client.IsFriend(context.Background(), w.betaPeer(), "u2@beta-im", "u1@alpha-im")
			ae := asAuth(t, err)
			if ae.Reason != tt.reason || ae.Side != tt.side || ae.Reported != tt.reported || ae.Peer != "beta-im" {
				t.Fatalf("got %+v", ae)
			}
			if tt.reported && ae.Unverified == "" {
				t.Errorf("a refusal without a valid signature is marked authenticated: %v", ae)
			}
		})
	}
}

func TestPeerRefusesUs(t *testing.T) {
	// The peer's directory does not know alpha-im.
	ca := clienttest.NewCA(t)
	alpha, beta := ca.Server(t, "alpha-im"), ca.Server(t, "beta-im")
	peer := clienttest.NewPeer(t, ca, beta, clienttest.Directory(nil, beta), answer(200, `{"code":0}`))
	c, err := client.New(client.Config{Signer: alpha.Signer, Verify: httpsig.Options{Resolver: clienttest.Directory(nil, beta), Roots: ca.Roots, CRL: ca.CRLProvider(t)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.User(context.Background(), client.Peer{ServerID: "beta-im", BaseURL: peer.URL}, "u2@beta-im")
	ae := asAuth(t, err)
	if ae.Reason != httpsig.ReasonUnknownServer || !ae.Reported || ae.Unverified != "" || ae.Status != 403 || ae.Peer != "beta-im" {
		t.Fatalf("got %+v", ae)
	}
	if !strings.Contains(ae.Error(), `beta-im refused the request: unknown_server (HTTP 403): the directory has no server "alpha-im"`) {
		t.Errorf("message: %v", ae)
	}
}

func TestWrongAddress(t *testing.T) {
	// The directory says beta-im, but gamma-im answers at that address.
	w := newWorld(t, answer(200, `{"code":0}`))
	gamma := w.ca.Server(t, "gamma-im")
	dir := clienttest.Directory(nil, w.alpha, w.beta, gamma)
	other := clienttest.NewPeer(t, w.ca, gamma, dir, answer(200, `{"code":0}`))
	_, err := w.client.User(context.Background(), client.Peer{ServerID: "beta-im", BaseURL: other.URL}, "u2@beta-im")
	ae := asAuth(t, err)
	// gamma refuses a request meant for beta, and signs as gamma: that
	// refusal cannot be authenticated as beta's.
	if ae.Reason != httpsig.ReasonWrongDestination || !ae.Reported || !strings.Contains(ae.Unverified, "unexpected_origin") {
		t.Fatalf("got %+v", ae)
	}
}

func TestOurPolicyAndRevocation(t *testing.T) {
	t.Run("policy", func(t *testing.T) {
		pol := httpsig.NewPolicy()
		pol.SetDenyList([]string{"beta-im"})
		w := newWorld(t, answer(200, `{"code":0}`), func(c *client.Config) { c.Verify.Policy = pol })
		_, err := w.client.User(context.Background(), w.betaPeer(), "u2@beta-im")
		if ae := asAuth(t, err); ae.Reason != httpsig.ReasonForbiddenByPolicy || ae.Side != httpsig.SideResponse {
			t.Fatalf("got %+v", ae)
		}
	})
	t.Run("revoked", func(t *testing.T) {
		var w *world
		w = newWorld(t, answer(200, `{"code":0}`))
		c, err := client.New(client.Config{Signer: w.alpha.Signer, Verify: httpsig.Options{Resolver: w.dir, Roots: w.ca.Roots, CRL: w.ca.CRLProvider(t, w.beta.Cert)}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.User(context.Background(), w.betaPeer(), "u2@beta-im")
		if ae := asAuth(t, err); ae.Reason != httpsig.ReasonCertRevoked || ae.Side != httpsig.SideResponse {
			t.Fatalf("got %+v", ae)
		}
	})
}

func TestDiscoveryByAddress(t *testing.T) {
	w := newWorld(t, answer(200, `{"code":0,"error":"","isFriend":1}`))
	p := client.Peer{BaseURL: w.peer.URL + "/"}
	var raw *client.RawResponse
	if _, err := w.client.IsFriend(context.Background(), p, "u2@beta-im", "u1@alpha-im", client.Raw(&raw)); err != nil {
		t.Fatal(err)
	}
	if raw.Peer != "beta-im" {
		t.Fatalf("answer attributed to %q", raw.Peer)
	}
	// Two exchanges (the refused probe, then the call), one request
	// reached the handler, and it was addressed to beta-im.
	if n := w.traces.count(); n != 2 {
		t.Fatalf("%d exchanges, want 2", n)
	}
	if got := w.traces.reqs[0].Header.Get(httpsig.HeaderDestination); got != client.DiscoveryDestination {
		t.Errorf("probe destination %q", got)
	}
	if got := w.traces.reqs[1].Header.Get(httpsig.HeaderDestination); got != "beta-im" {
		t.Errorf("second destination %q", got)
	}
	if n := len(w.peer.Requests()); n != 1 {
		t.Fatalf("handler ran %d times", n)
	}
	// Remembered: the next call goes straight to beta-im.
	if _, err := w.client.IsFriend(context.Background(), p, "u2@beta-im", "u1@alpha-im"); err != nil {
		t.Fatal(err)
	}
	if n := w.traces.count(); n != 3 {
		t.Fatalf("%d exchanges after the second call, want 3", n)
	}
}

func TestDiscoveryNeedsAuthentication(t *testing.T) {
	t.Run("unsigned server", func(t *testing.T) {
		w := newWorld(t, answer(200, `{}`))
		plain := httptest.NewServer(http.NotFoundHandler())
		defer plain.Close()
		_, err := w.client.User(context.Background(), client.Peer{BaseURL: plain.URL}, "u2@beta-im")
		ae := asAuth(t, err)
		if ae.Reason != httpsig.ReasonSignatureMissing || !strings.Contains(ae.Message, "does not say which server signed it: is "+plain.URL+" an interconnection endpoint?") {
			t.Fatalf("got %+v", ae)
		}
	})
	t.Run("server not in our directory", func(t *testing.T) {
		w := newWorld(t, answer(200, `{}`))
		gamma := w.ca.Server(t, "gamma-im")
		other := clienttest.NewPeer(t, w.ca, gamma, clienttest.Directory(nil, w.alpha, gamma), answer(200, `{"code":0}`))
		p := client.Peer{BaseURL: other.URL}
		for range 2 { // nothing is learned from an unauthenticated answer
			_, err := w.client.User(context.Background(), p, "u2@gamma-im")
			if ae := asAuth(t, err); ae.Reason != httpsig.ReasonUnknownServer || ae.Side != httpsig.SideResponse {
				t.Fatalf("got %+v", ae)
			}
		}
		if n := w.traces.count(); n != 2 || len(other.Requests()) != 0 {
			t.Fatalf("%d exchanges, %d requests handled", n, len(other.Requests()))
		}
	})
}

func TestUnreachable(t *testing.T) {
	w := newWorld(t, answer(200, `{}`))
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	_, err := w.client.User(context.Background(), client.Peer{ServerID: "beta-im", BaseURL: dead.URL}, "u2@beta-im")
	var ue *client.UnreachableError
	if !errors.As(err, &ue) || ue.URL != dead.URL+"/sns/users?userID=u2%40beta-im" || !strings.Contains(err.Error(), "cannot reach beta-im ("+dead.URL+")") {
		t.Fatalf("got %v", err)
	}
	if _, err := w.client.User(context.Background(), client.Peer{ServerID: "beta-im", BaseURL: "ftp://x"}, "u2@beta-im"); err == nil || !strings.Contains(err.Error(), `base URL "ftp://x"`) {
		t.Fatalf("ftp base URL: %v", err)
	}
}

func TestTraceSeesSignedHeaders(t *testing.T) {
	w := newWorld(t, answer(200, `{"code":0}`))
	if err := w.client.Chat(context.Background(), w.betaPeer(), chat); err != nil {
		t.Fatal(err)
	}
	req, resp := w.traces.reqs[0], w.traces.resp[0]
	for _, h := range []string{"Signature", "Signature-Input", "Content-Digest", httpsig.HeaderOrigin, httpsig.HeaderDestination} {
		if req.Header.Get(h) == "" || resp.Header.Get(h) == "" {
			t.Errorf("%s missing from the traced request or response", h)
		}
	}
}
