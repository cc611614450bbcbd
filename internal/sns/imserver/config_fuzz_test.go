package imserver

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadConfig: any config.json is read or refused without panicking,
// and one that is accepted, with its defaults, has values the server can
// run with.
func FuzzLoadConfig(f *testing.F) {
	for _, s := range []string{
		`{"serverId":"a","address":"http://127.0.0.1:8441","listen":"127.0.0.1:8441","mgmtURL":"http://127.0.0.1:8440"}`,
		`{"address":"http://h:1","mgmtURL":"https://m","delivery":{"window":-1,"retryBase":"-1s","retryMax":"1ns"},"crlRefresh":"0s","readHeaderTimeout":"-1s"}`,
		`{"address":"http://h:1","mgmtURL":"https://m","maxRequestBody":-5,"policy":{"allow":["x"],"deny":null}}`,
		`{"tlsCert":"c"}`, `{"delivery":{"retryBase":10}}`, `{"unknown":1}`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	// One file, rewritten by every input: the inputs of a fuzzing process
	// run one at a time.
	path := filepath.Join(f.TempDir(), "config.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(path)
		if err != nil {
			return
		}
		c.DataDir = "data"
		c, err = c.withDefaults()
		if err != nil {
			return
		}
		switch {
		case c.Delivery.Window <= 0, c.Delivery.RetryBase <= 0, c.Delivery.RetryMax < c.Delivery.RetryBase:
			t.Fatalf("delivery settings %+v accepted", c.Delivery)
		case c.MaxRequestBody <= 0, c.MaxFileSize <= 0, c.MaxFindResults <= 0:
			t.Fatalf("limits %d, %d, %d accepted", c.MaxRequestBody, c.MaxFileSize, c.MaxFindResults)
		case c.DirectoryRefresh <= 0, c.CRLRefresh <= 0, c.ReadHeaderTimeout <= 0:
			t.Fatalf("intervals %v, %v, %v accepted", c.DirectoryRefresh, c.CRLRefresh, c.ReadHeaderTimeout)
		}
		if _, err := hostPort(c.Address); err != nil {
			t.Fatalf("address %q accepted: %v", c.Address, err)
		}
	})
}
