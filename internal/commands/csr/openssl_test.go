package csr_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/pki"
)

const distID = "distid:" + pki.DefaultUID

// OpenSSL verifies requests that `csr create` writes, from our keys and
// from keys OpenSSL made.
func TestOpenSSLVerifiesCreatedCSRs(t *testing.T) {
	dir := t.TempDir()
	pw := passwordFile(t, dir)
	cmdtest.KeyFile(t, dir, "ours.key", password)
	cmdtest.OpenSSL(t, dir, "genpkey", "-algorithm", "SM2", "-out", "openssl.key")
	cmdtest.OpenSSL(t, dir, "pkcs8", "-topk8", "-in", "openssl.key", "-v2", "sm4-cbc", "-passout", "file:pw", "-out", "openssl-sm4.key")
	cmdtest.OpenSSL(t, dir, "ec", "-in", "openssl.key", "-out", "openssl-sec1.key")
	for _, keyName := range []string{"ours.key", "openssl.key", "openssl-sm4.key", "openssl-sec1.key"} {
		t.Run(keyName, func(t *testing.T) {
			out := strings.TrimSuffix(keyName, ".key") + ".csr"
			cmdtest.Run(t, cmdtest.Options{}, "csr", "create", "--key", filepath.Join(dir, keyName), "--password-file", pw,
				"--server-id", "vrv_linkdood", "--name", "VRV", "--country", "CN", "--dns", "im.example.com",
				"--out", filepath.Join(dir, out)).Expect(t, 0)
			text := cmdtest.OpenSSL(t, dir, "req", "-verify", "-in", out, "-vfyopt", distID, "-noout", "-text")
			for _, want := range []string{"verify OK", "C = CN, O = VRV, CN = vrv_linkdood", "URI:urn:imi:server:vrv_linkdood",
				"DNS:im.example.com", "Signature Algorithm: SM2-with-SM3"} {
				if !strings.Contains(text, want) {
					t.Errorf("OpenSSL's view lacks %q:\n%s", want, text)
				}
			}
			// The request is for the key: same public key as OpenSSL derives.
			if got, want := cmdtest.OpenSSL(t, dir, "req", "-in", out, "-noout", "-pubkey"),
				cmdtest.OpenSSL(t, dir, "pkey", "-in", keyName, "-passin", "file:pw", "-pubout"); got != want {
				t.Errorf("public key of the request:\n%s\nof the key:\n%s", got, want)
			}
		})
	}
}

func TestInspectOpenSSLCSRs(t *testing.T) {
	dir := t.TempDir()
	cmdtest.OpenSSL(t, dir, "genpkey", "-algorithm", "SM2", "-out", "k.pem")
	san := "subjectAltName=URI:urn:imi:server:srv1"
	cmdtest.OpenSSL(t, dir, "req", "-new", "-key", "k.pem", "-sm3", "-sigopt", distID, "-subj", "/CN=srv1", "-addext", san, "-out", "good.csr")
	cmdtest.OpenSSL(t, dir, "req", "-new", "-key", "k.pem", "-sm3", "-subj", "/CN=srv1", "-addext", san, "-out", "nodistid.csr")

	res := cmdtest.Run(t, cmdtest.Options{}, "csr", "inspect", filepath.Join(dir, "good.csr"), "-o", "json")
	res.Expect(t, 0)
	if !strings.Contains(res.Stdout, `"serverId": "srv1"`) || !strings.Contains(res.Stdout, `"signatureValid": true`) {
		t.Errorf("stdout:\n%s", res.Stdout)
	}

	res = cmdtest.Run(t, cmdtest.Options{}, "csr", "inspect", filepath.Join(dir, "nodistid.csr"))
	res.Expect(t, cmdutil.ExitAuth)
	if want := "imictl: " + pki.ErrCSREmptyDistID.Error() + " (reason: bad_signature)\n"; res.Stderr != want {
		t.Errorf("stderr = %q\nwant     %q", res.Stderr, want)
	}
}
