package httpsig

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/clocktest"
)

type crlSequence struct {
	crls []*smx509.RevocationList
	err  error
}

func (s *crlSequence) FetchCRL(context.Context) (*smx509.RevocationList, error) {
	if s.err != nil || len(s.crls) == 0 {
		return nil, s.err
	}
	c := s.crls[0]
	s.crls = s.crls[1:]
	return c, nil
}

func TestCRLHolder(t *testing.T) {
	ca := newTestCA(t, "Test Root")
	now := time.Now()
	crl1 := ca.crl(t, 1, now.Add(time.Hour))
	crl2 := ca.crl(t, 2, now.Add(2*time.Hour))
	src := &crlSequence{err: errors.New("connection refused")}
	clk := clocktest.New(now)
	h := NewCRLHolder(src, CRLOptions{Now: clk.Now, Logger: quietLogger()})
	ctx := context.Background()

	if _, err := h.Current(); err == nil || !strings.Contains(err.Error(), "no CRL fetched yet") {
		t.Fatalf("before any fetch: %v", err)
	}
	if err := h.Refresh(ctx); err == nil {
		t.Fatal("a failed fetch must be reported")
	}
	if _, err := h.Current(); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("after a failed fetch: %v", err)
	}
	src.err, src.crls = nil, []*smx509.RevocationList{crl2, crl1}
	if err := h.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.Refresh(ctx); err != nil { // crl1 is older: ignored
		t.Fatal(err)
	}
	if got, err := h.Current(); err != nil || got != crl2 {
		t.Fatalf("got CRL %v, %v; want number 2 kept over the older number 1", got.Number, err)
	}
	src.err = errors.New("management server down")
	h.Refresh(ctx)
	if got, err := h.Current(); err != nil || got != crl2 {
		t.Fatalf("a failed refresh must keep the fresh CRL: %v", err)
	}
	clk.Add(2*time.Hour + time.Second)
	if _, err := h.Current(); err == nil || !strings.Contains(err.Error(), "management server down") {
		t.Fatalf("a CRL past nextUpdate must not be used: %v", err)
	}
}

func TestCRLHolderRunRefreshesUntilCancelled(t *testing.T) {
	ca := newTestCA(t, "Test Root")
	src := &crlSequence{crls: []*smx509.RevocationList{ca.crl(t, 1, time.Now().Add(time.Hour))}}
	h := NewCRLHolder(src, CRLOptions{Refresh: time.Hour, Logger: quietLogger()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	for i := 0; ; i++ {
		if _, err := h.Current(); err == nil {
			break
		}
		if i == 5000 {
			t.Fatal("Run did not fetch the CRL")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
