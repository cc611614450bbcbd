package key_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/key"
)

func TestOpenSSLReadsGeneratedKeys(t *testing.T) {
	dir := t.TempDir()
	pw := passwordFile(t, dir)
	for _, tc := range []struct {
		name, file string
		genArgs    []string
		pubArgs    []string
		passin     []string
	}{
		{"encrypted", "enc.key", []string{"--password-file", pw}, []string{"--password-file", pw}, []string{"-passin", "file:pw"}},
		{"plain", "plain.key", []string{"--no-password", "--insecure"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			cmdtest.Run(t, cmdtest.Options{}, append([]string{"key", "gen", "--out", path}, tc.genArgs...)...).Expect(t, 0)
			ours := cmdtest.Run(t, cmdtest.Options{}, append([]string{"key", "pub", path}, tc.pubArgs...)...)
			ours.Expect(t, 0)
			theirs := cmdtest.OpenSSL(t, dir, append([]string{"pkey", "-in", tc.file, "-pubout"}, tc.passin...)...)
			if ours.Stdout != theirs {
				t.Errorf("public key: imictl\n%s\nOpenSSL\n%s", ours.Stdout, theirs)
			}
			if tc.passin == nil {
				return
			}
			asn1 := strings.ToLower(cmdtest.OpenSSL(t, dir, "asn1parse", "-in", tc.file))
			for _, want := range []string{"pbes2", "pbkdf2", "hmacwithsha256", "sm4-cbc"} {
				if !strings.Contains(asn1, want) {
					t.Errorf("the encrypted key does not use %s:\n%s", want, asn1)
				}
			}
		})
	}
}

func TestWeReadOpenSSLKeys(t *testing.T) {
	dir := t.TempDir()
	pw := passwordFile(t, dir)
	cmdtest.OpenSSL(t, dir, "genpkey", "-algorithm", "SM2", "-out", "plain.pem")
	cmdtest.OpenSSL(t, dir, "pkcs8", "-topk8", "-in", "plain.pem", "-v2", "aes-256-cbc", "-passout", "file:pw", "-out", "aes.pem")
	cmdtest.OpenSSL(t, dir, "pkcs8", "-topk8", "-in", "plain.pem", "-v2", "sm4-cbc", "-passout", "file:pw", "-out", "sm4.pem")
	cmdtest.OpenSSL(t, dir, "ec", "-in", "plain.pem", "-out", "sec1.pem")
	cmdtest.OpenSSL(t, dir, "ec", "-in", "plain.pem", "-aes256", "-passout", "file:pw", "-out", "sec1enc.pem")
	cmdtest.OpenSSL(t, dir, "ecparam", "-genkey", "-name", "SM2", "-out", "ecparam.pem")
	for _, tc := range []struct {
		file, encoding string
		encrypted      bool
	}{
		{"plain.pem", "PKCS#8", false},
		{"aes.pem", "PKCS#8", true},
		{"sm4.pem", "PKCS#8", true},
		{"sec1.pem", "SEC1", false},
		{"sec1enc.pem", "SEC1", true},
		{"ecparam.pem", "PKCS#8", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			pub := cmdtest.Run(t, cmdtest.Options{}, "key", "pub", path, "--password-file", pw)
			pub.Expect(t, 0)
			theirs := cmdtest.OpenSSL(t, dir, "pkey", "-in", tc.file, "-passin", "file:pw", "-pubout")
			if pub.Stdout != theirs {
				t.Errorf("public key: imictl\n%s\nOpenSSL\n%s", pub.Stdout, theirs)
			}
			res := cmdtest.Run(t, cmdtest.Options{}, "key", "inspect", path, "--password-file", pw, "-o", "json")
			res.Expect(t, 0)
			var info key.Info
			if err := json.Unmarshal([]byte(res.Stdout), &info); err != nil {
				t.Fatal(err)
			}
			der := cmdtest.OpenSSL(t, dir, "pkey", "-in", tc.file, "-passin", "file:pw", "-pubout", "-outform", "DER")
			sum := sha256.Sum256([]byte(der))
			if info.Fingerprints == nil || info.Fingerprints.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("SHA-256 fingerprint %+v, OpenSSL's %x", info.Fingerprints, sum)
			}
			if info.Type != "SM2" || info.Encoding != tc.encoding || info.Encrypted != tc.encrypted {
				t.Errorf("info = %+v", info)
			}
		})
	}
}
