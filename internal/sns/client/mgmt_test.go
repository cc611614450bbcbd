package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

func TestDirectoryThroughMgmt(t *testing.T) {
	ca := clienttest.NewCA(t)
	alpha, beta := ca.Server(t, "alpha-im"), ca.Server(t, "beta-im")
	mgmt := clienttest.NewMgmt(t, ca)
	peer := clienttest.NewPeer(t, ca, beta, clienttest.Directory(nil, alpha, beta), answer(200, `{"code":0,"error":"","isFriend":1}`))
	mgmt.Register(alpha, "http://127.0.0.1:1", httpsig.StatusNormal)
	mgmt.Register(beta, peer.URL, httpsig.StatusNormal)
	ctx := context.Background()

	dir, err := client.NewDirectory(client.MgmtConfig{BaseURL: mgmt.URL + "/", Signer: alpha.Signer,
		Verify: httpsig.Options{Roots: ca.Roots, CRL: ca.CRLProvider(t)}})
	if err != nil {
		t.Fatal(err)
	}
	crl, err := dir.FetchCRL(ctx)
	if err != nil || crl.Issuer.CommonName != "clienttest root" {
		t.Fatalf("CRL: %v %v", crl, err)
	}
	cache := httpsig.NewCachingResolver(dir, httpsig.CacheOptions{})
	c, err := client.New(client.Config{Signer: alpha.Signer, Verify: httpsig.Options{Resolver: cache, Roots: ca.Roots, CRL: ca.CRLProvider(t)}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.PeerFor(ctx, "beta-im")
	if err != nil {
		t.Fatal(err)
	}
	if p != (client.Peer{ServerID: "beta-im", BaseURL: peer.URL}) {
		t.Fatalf("peer %+v", p)
	}
	if _, err := c.IsFriend(ctx, p, "u2@beta-im", "u1@alpha-im"); err != nil {
		t.Fatal(err)
	}
	if n := mgmt.M1Calls(); n != 1 {
		t.Errorf("%d directory queries, want 1 (cached)", n)
	}
	// The management server itself resolves without M1.
	if info, err := dir.Resolve(ctx, client.DefaultMgmtID); err != nil || info.Certificate == nil || info.Status != httpsig.StatusNormal {
		t.Fatalf("center-im: %+v %v", info, err)
	}
	mgmt.Register(beta, peer.URL, httpsig.StatusSuspended)
	cache.Invalidate("beta-im")
	_, err = c.PeerFor(ctx, "beta-im")
	if ae := asAuth(t, err); ae.Reason != httpsig.ReasonServerSuspended || ae.Reported {
		t.Fatalf("suspended: %+v", ae)
	}
	_, err = c.PeerFor(ctx, "nobody")
	if !errors.Is(err, httpsig.ErrUnknownServer) || !strings.Contains(err.Error(), `looking "nobody" up in the directory`) {
		t.Fatalf("unknown server: %v", err)
	}
}

func TestDirectoryRefusesUnregisteredCaller(t *testing.T) {
	ca := clienttest.NewCA(t)
	alpha := ca.Server(t, "alpha-im")
	mgmt := clienttest.NewMgmt(t, ca) // alpha-im is not registered
	dir, err := client.NewDirectory(client.MgmtConfig{BaseURL: mgmt.URL, Signer: alpha.Signer,
		Verify: httpsig.Options{Roots: ca.Roots, CRL: ca.CRLProvider(t)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = dir.Resolve(context.Background(), "beta-im")
	if ae := asAuth(t, err); ae.Reason != httpsig.ReasonUnknownServer || !ae.Reported || ae.Unverified != "" || ae.Peer != "center-im" {
		t.Fatalf("got %+v", ae)
	}
	if _, err := client.NewDirectory(client.MgmtConfig{BaseURL: "mgmt:8440", Signer: alpha.Signer}); err == nil {
		t.Fatal("a base URL without scheme was accepted")
	}
}
