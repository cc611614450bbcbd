package store

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"

	"github.com/imictl/imictl/internal/etcdtest"
)

// tlsFiles writes a CA, a certificate for 127.0.0.1 signed by it (etcd's)
// and a client certificate (the management server's), as PEM files.
func tlsFiles(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "etcd test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	write := func(name, kind string, der []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ca.crt", "CERTIFICATE", caDER)
	for i, name := range []string{"server", "client"} {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(2 + i)), Subject: pkix.Name{CommonName: "imictl " + name},
			KeyUsage: x509.KeyUsageDigitalSignature, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, _ := x509.MarshalECPrivateKey(key)
		write(name+".crt", "CERTIFICATE", der)
		write(name+".key", "EC PRIVATE KEY", keyDER)
	}
	return dir
}

// The documented ways to reach a secured cluster: https with its CA, a
// client certificate (--client-cert-auth), and a user with a password
// (auth enabled); each missing piece is refused with a message.
func TestEtcdTLSClientCertAndAuth(t *testing.T) {
	etcdPass(t)
	dir := tlsFiles(t)
	file := func(name string) string { return filepath.Join(dir, name) }
	e, err := etcdtest.StartWith(t.TempDir(), etcdtest.Limits{ClientTLS: &transport.TLSInfo{
		CertFile: file("server.crt"), KeyFile: file("server.key"), TrustedCAFile: file("ca.crt")}})
	if err != nil {
		t.Skipf("an embedded etcd with TLS cannot start: %v", err)
	}
	defer e.Close()
	withCert := EtcdConfig{Endpoints: []string{e.Endpoint}, CAFile: file("ca.crt"), CertFile: file("client.crt"), KeyFile: file("client.key"), Timeout: 3 * time.Second}
	s, err := DialEtcd(withCert, Options{})
	if err != nil {
		t.Fatalf("TLS with a client certificate: %v", err)
	}
	register(t, s, "alpha")
	s.Close()

	noCert := withCert
	noCert.CertFile, noCert.KeyFile, noCert.Timeout = "", "", time.Second
	if _, err := DialEtcd(noCert, Options{}); err == nil || !strings.Contains(err.Error(), "cannot reach etcd") {
		t.Errorf("without a client certificate: %v", err)
	}

	// Enable etcd auth with a root user, as an operator would.
	cli, err := withCert.Dial()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, step := range []func() error{
		func() error { _, err := cli.RoleAdd(ctx, "root"); return err },
		func() error { _, err := cli.UserAdd(ctx, "root", "etcd secret"); return err },
		func() error { _, err := cli.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := cli.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	cli.Close()
	withUser := withCert
	withUser.Username, withUser.Password = "root", "etcd secret"
	s, err = DialEtcd(withUser, Options{})
	if err != nil {
		t.Fatalf("with user and password: %v", err)
	}
	if srv, err := s.GetServer("alpha"); err != nil || srv.ServerID != "alpha" {
		t.Errorf("the registry through auth: %+v, %v", srv, err)
	}
	s.Close()
	wrong := withUser
	wrong.Password = "guess"
	if _, err := DialEtcd(wrong, Options{}); err == nil || !strings.Contains(err.Error(), "authentication failed") || !strings.Contains(err.Error(), "credentials") {
		t.Errorf("a wrong password: %v", err)
	}
}
