package imserver

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
)

func TestLookupBucket(t *testing.T) {
	var b bucket
	now := time.Now()
	for i := range lookupBurst {
		if !b.take(now) {
			t.Fatalf("refused lookup %d of the burst", i+1)
		}
	}
	if b.take(now) {
		t.Error("a lookup beyond the burst was allowed")
	}
	if !b.take(now.Add(time.Second / lookupRate)) {
		t.Error("no token after its refill time")
	}
	if b.take(now.Add(time.Second / lookupRate)) {
		t.Error("two tokens from one refill")
	}
}

// changingMgmt answers M2 with a certificate, but first lets a
// notification's update land, as one may during the M2 call.
type changingMgmt struct {
	Mgmt
	cert   *smx509.Certificate
	during func()
}

func (m *changingMgmt) ServerCert(ctx context.Context, id string) (*smx509.Certificate, error) {
	m.during()
	return m.cert, nil
}

// A status change stored while a certificate is being fetched is kept:
// the certificate is added to the record as stored now, not written back
// onto the copy read before the fetch.
func TestFetchCertKeepsAConcurrentChange(t *testing.T) {
	st, err := imstore.Open(filepath.Join(t.TempDir(), "im.db"), imstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := newDirectory(st, "center-im", time.Hour, slog.New(slog.DiscardHandler))
	d.cache = httpsig.NewCachingResolver(d, httpsig.CacheOptions{})
	alpha := api.ServerRecord{ServerID: "alpha-im", ServerName: "Alpha", ServerAddress: "http://127.0.0.1:1", Status: httpsig.StatusNormal}
	if err := d.store([]api.ServerRecord{alpha}, 1); err != nil {
		t.Fatal(err)
	}
	suspended := alpha
	suspended.Status = httpsig.StatusSuspended
	d.mgmt = &changingMgmt{cert: clienttest.NewCA(t).Server(t, "alpha-im").Cert, during: func() {
		if err := d.store([]api.ServerRecord{suspended}, 1); err != nil {
			t.Error(err)
		}
	}}
	info, err := d.Resolve(context.Background(), "alpha-im")
	if err != nil {
		t.Fatal(err)
	}
	e, err := st.GetDirEntry("alpha-im")
	if err != nil || info.Status != httpsig.StatusSuspended || e.Status != httpsig.StatusSuspended || e.CertPEM == "" {
		t.Fatalf("resolved status %d, stored %+v %v: want the suspension kept, with the certificate", info.Status, e, err)
	}
}
