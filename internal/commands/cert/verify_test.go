package cert_test

import (
	"encoding/json"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cert"
	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/pki"
)

// verifyWorld is a CA with certificates around cmdtest.FixedNow, written to
// a directory.
type verifyWorld struct {
	dir                                            string
	root, roots, otherRoot, impostorRoot, interCrt string
	leaf, bundle, interLeaf, interBundle           string
	crl, revokedCRL, foreignCRL, staleCRL          string
	leafSerial                                     *big.Int
	leafNotAfter                                   time.Time
}

func newVerifyWorld(t *testing.T) *verifyWorld {
	t.Helper()
	now := cmdtest.FixedNow
	ca := newCA(t, "Test Root", now.Add(-365*24*time.Hour), now.Add(9*365*24*time.Hour))
	other := newCA(t, "Other Root", now.Add(-time.Hour), now.Add(time.Hour))
	impostor := newCA(t, "Test Root", now.Add(-time.Hour), now.Add(time.Hour)) // same name, another key
	inter := newIntermediate(t, ca, "Issuing CA")
	params := pki.IssueParams{NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(364 * 24 * time.Hour)}
	leaf := issue(t, ca, pki.CSRTemplate{ServerID: "srv1", ServerName: "Server One"}, params)
	interLeaf := issue(t, inter, pki.CSRTemplate{ServerID: "srv2"}, params)

	w := &verifyWorld{dir: t.TempDir(), leafSerial: leaf.SerialNumber, leafNotAfter: leaf.NotAfter}
	file := func(name string, data []byte) string { return cmdtest.WriteFile(t, w.dir, name, data) }
	w.root = file("root.crt", pemOf(ca.Cert))
	w.otherRoot = file("other-root.crt", pemOf(other.Cert))
	w.roots = file("roots.pem", pemOf(other.Cert, ca.Cert))
	w.impostorRoot = file("impostor-root.crt", pemOf(impostor.Cert))
	w.interCrt = file("inter.crt", pemOf(inter.Cert))
	w.leaf = file("leaf.crt", pemOf(leaf))
	w.bundle = file("bundle.pem", pemOf(leaf, ca.Cert))
	w.interLeaf = file("inter-leaf.crt", pemOf(interLeaf))
	w.interBundle = file("inter-bundle.pem", pemOf(interLeaf, inter.Cert))
	w.crl = file("crl.der", crl(t, ca, now.Add(-time.Hour), big.NewInt(12345)))
	w.revokedCRL = file("revoked.der", crl(t, ca, now.Add(-time.Hour), leaf.SerialNumber))
	w.foreignCRL = file("foreign.der", crl(t, other, now.Add(-time.Hour)))
	w.staleCRL = file("stale.der", crl(t, ca, now.Add(-48*time.Hour)))
	return w
}

func (w *verifyWorld) table(serial, serverID, revocation, result string) string {
	return "" +
		"Subject:      CN=" + serverID + ",O=Server One\n" +
		"Serial:       " + serial + "\n" +
		"Server id:    " + serverID + "\n" +
		"Not after:    " + w.leafNotAfter.UTC().Format(time.RFC3339) + "\n" +
		"Revocation:   " + revocation + "\n" +
		"Result:       " + result + "\n"
}

func TestVerifyValid(t *testing.T) {
	w := newVerifyWorld(t)
	serial := pki.SerialHex(w.leafSerial)
	valid := w.table(serial, "srv1", "not checked (no --crl)", "valid")
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"leaf and root", "", []string{w.leaf, "--root", w.root}, valid},
		{"with serverId and CRL", "", []string{w.leaf, "--root", w.root, "--server-id", "srv1", "--crl", w.crl},
			w.table(serial, "srv1", "checked against the CRL", "valid")},
		{"bundle, leaf first", "", []string{w.bundle, "--root", w.root}, valid},
		{"stdin", string(cmdtest.ReadFile(t, w.leaf)), []string{"-", "--root", w.root}, valid},
		{"several roots", "", []string{w.leaf, "--root", w.roots}, valid},
	}
	for _, tt := range tests {
		for _, tty := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{false: ", pipe", true: ", terminal"}[tty], func(t *testing.T) {
				res := cmdtest.Run(t, cmdtest.Options{TTY: tty, Stdin: tt.stdin}, append([]string{"cert", "verify"}, tt.args...)...)
				res.Expect(t, 0)
				if res.Stdout != tt.want {
					t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, tt.want)
				}
				if res.Stderr != "" {
					t.Errorf("stderr = %q", res.Stderr)
				}
			})
		}
	}
}

func TestVerifyIntermediates(t *testing.T) {
	w := newVerifyWorld(t)
	for _, args := range [][]string{
		{w.interLeaf, "--root", w.root, "--intermediates", w.interCrt},
		{w.interBundle, "--root", w.root},
	} {
		res := cmdtest.Run(t, cmdtest.Options{}, append([]string{"cert", "verify", "-o", "json"}, args...)...)
		res.Expect(t, 0)
		var r cert.VerifyResult
		if err := json.Unmarshal([]byte(res.Stdout), &r); err != nil || !r.Valid || r.ServerID != "srv2" {
			t.Errorf("%v: %+v %v", args, r, err)
		}
	}
	res := cmdtest.Run(t, cmdtest.Options{}, "cert", "verify", w.interLeaf, "--root", w.root)
	res.Expect(t, cmdutil.ExitAuth)
	if !strings.HasSuffix(res.Stderr, "(reason: unknown_authority)\n") {
		t.Errorf("without the intermediate: %s", res.Stderr)
	}
}

// Each failure exits 4 with its reason, on stderr and in the JSON result.
func TestVerifyFailures(t *testing.T) {
	w := newVerifyWorld(t)
	now := cmdtest.FixedNow
	tests := []struct {
		name   string
		now    time.Time
		args   []string
		reason string
		stderr string // start of the message after "imictl: "
	}{
		{"expired", w.leafNotAfter.Add(time.Second), []string{w.leaf, "--root", w.root}, "expired",
			`certificate "srv1" expired at ` + w.leafNotAfter.UTC().Format(time.RFC3339)},
		{"not yet valid", now.Add(-48 * time.Hour), []string{w.leaf, "--root", w.root}, "not_yet_valid",
			`certificate "srv1" is not valid before `},
		{"unknown authority", now, []string{w.leaf, "--root", w.otherRoot}, "unknown_authority",
			`certificate "srv1" was not issued by a trusted root (wrong --root?)`},
		{"the leaf as its own root", now, []string{w.leaf, "--root", w.leaf}, "unknown_authority",
			`certificate "srv1" is itself in the trusted roots, not issued by one of them (wrong --root?)`},
		{"bad signature", now, []string{w.leaf, "--root", w.impostorRoot}, "bad_signature",
			`certificate "srv1" names a trusted issuer but its signature does not verify`},
		{"revoked", now, []string{w.leaf, "--root", w.root, "--crl", w.revokedCRL}, "revoked",
			`certificate "srv1" (serial ` + pki.SerialHex(w.leafSerial) + `) was revoked at `},
		{"wrong serverId", now, []string{w.leaf, "--root", w.root, "--server-id", "srv2"}, "wrong_server_id",
			`certificate is for serverId "srv1", not "srv2"`},
		{"a CA is no server", now, []string{w.root, "--root", w.root}, "bad_key_usage",
			`certificate "Test Root" may not sign (no digitalSignature key usage)`},
		{"CRL of another CA", now, []string{w.leaf, "--root", w.root, "--crl", w.foreignCRL}, "crl_invalid",
			"the CRL was not signed by the certificate's issuer Test Root"},
		{"stale CRL", now, []string{w.leaf, "--root", w.root, "--crl", w.staleCRL}, "crl_invalid",
			"the CRL is stale: its nextUpdate "},
	}
	for _, tt := range tests {
		for _, tty := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{false: ", pipe", true: ", terminal"}[tty], func(t *testing.T) {
				res := cmdtest.Run(t, cmdtest.Options{TTY: tty, Now: tt.now}, append([]string{"cert", "verify"}, tt.args...)...)
				res.Expect(t, cmdutil.ExitAuth)
				if !strings.HasPrefix(res.Stderr, "imictl: "+tt.stderr) || !strings.HasSuffix(res.Stderr, " (reason: "+tt.reason+")\n") {
					t.Errorf("stderr = %q\nwant it to start with %q and end with reason %s", res.Stderr, tt.stderr, tt.reason)
				}
				if !strings.Contains(res.Stdout, "Result:       INVALID: "+tt.reason+"\n") {
					t.Errorf("stdout:\n%s", res.Stdout)
				}
			})
		}
		t.Run(tt.name+", json", func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{Now: tt.now}, append([]string{"cert", "verify", "-o", "json"}, tt.args...)...)
			res.Expect(t, cmdutil.ExitAuth)
			var r cert.VerifyResult
			if err := json.Unmarshal([]byte(res.Stdout), &r); err != nil {
				t.Fatalf("%v\n%s", err, res.Stdout)
			}
			if r.Valid || r.Reason != tt.reason || !strings.HasPrefix(r.Error, tt.stderr) || r.CRLChecked != (tt.reason == "revoked") {
				t.Errorf("result %+v", r)
			}
		})
	}
}

func TestVerifyJSON(t *testing.T) {
	w := newVerifyWorld(t)
	res := cmdtest.Run(t, cmdtest.Options{}, "cert", "verify", w.leaf, "--root", w.root, "--crl", w.crl, "-o", "json")
	res.Expect(t, 0)
	want := `{
  "valid": true,
  "subject": "CN=srv1,O=Server One",
  "serial": "` + pki.SerialHex(w.leafSerial) + `",
  "serverId": "srv1",
  "notAfter": "` + w.leafNotAfter.UTC().Format(time.RFC3339) + `",
  "crlChecked": true
}
`
	if res.Stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
	}
}

func TestVerifyBadInput(t *testing.T) {
	w := newVerifyWorld(t)
	for _, bc := range badCerts(t) {
		for _, place := range []struct {
			name, prefix string
			args         func(string) []string
		}{
			{"certificate", "", func(p string) []string { return []string{p, "--root", w.root} }},
			{"root", "--root: ", func(p string) []string { return []string{w.leaf, "--root", p} }},
			{"intermediates", "--intermediates: ", func(p string) []string { return []string{w.leaf, "--root", w.root, "--intermediates", p} }},
		} {
			t.Run(place.name+"/"+bc.name, func(t *testing.T) {
				res := cmdtest.Run(t, cmdtest.Options{}, append([]string{"cert", "verify"}, place.args(bc.path)...)...)
				res.Expect(t, cmdutil.ExitFailure)
				if want := "imictl: " + place.prefix + bc.msg + "\n"; res.Stderr != want {
					t.Errorf("stderr = %q\nwant     %q", res.Stderr, want)
				}
				if res.Stdout != "" {
					t.Errorf("stdout = %q", res.Stdout)
				}
			})
		}
	}
	missing := filepath.Join(w.dir, "missing.crl")
	for _, tt := range []struct {
		name, crl, want string
	}{
		{"missing CRL", missing, "imictl: --crl: cannot read " + missing + ": no such file or directory: check the path\n"},
		{"a certificate as CRL", w.root, "imictl: --crl " + w.root + `: expected a CRL, found a PEM block of type "CERTIFICATE"` + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{}, "cert", "verify", w.leaf, "--root", w.root, "--crl", tt.crl)
			res.Expect(t, cmdutil.ExitFailure)
			if res.Stderr != tt.want {
				t.Errorf("stderr = %q\nwant     %q", res.Stderr, tt.want)
			}
		})
	}
}

func TestVerifyUsage(t *testing.T) {
	w := newVerifyWorld(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{w.leaf}, `imictl: required flag(s) "root" not set`},
		{[]string{w.leaf, "--root", w.root, "--server-id", "a.b"},
			`imictl: invalid --server-id: serverId "a.b" is invalid: only letters, digits, '_' and '-' are allowed (e.g. vrv_linkdood)`},
		{[]string{"--root", w.root}, "imictl: accepts 1 arg(s), received 0"},
	} {
		res := cmdtest.Run(t, cmdtest.Options{}, append([]string{"cert", "verify"}, tt.args...)...)
		res.Expect(t, cmdutil.ExitUsage)
		if firstLine(res.Stderr) != tt.want {
			t.Errorf("%v: stderr = %q", tt.args, firstLine(res.Stderr))
		}
	}
}
