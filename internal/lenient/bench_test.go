package lenient_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/cputime"
	"github.com/imictl/imictl/internal/lenient"
	"github.com/imictl/imictl/internal/mgmt/api"
)

// BenchmarkDecodeDirectory10k decodes a full M1 answer of 10,000 servers
// (2.5 MB) as the management client does, with and without Decode's fast
// path, beside encoding/json filling a plain struct of the same shape (no
// leniency at all): the reference the fast path is measured against.
func BenchmarkDecodeDirectory10k(b *testing.B) {
	var resp api.ServersResponse
	for i := range 10_000 {
		id := fmt.Sprintf("server-%05d", i)
		resp.Servers = append(resp.Servers, api.ServerRecord{ServerID: id, ServerName: "Server " + id, ProductType: "imictl",
			ServerAddress: "https://" + id + ".example.com", ContactName: "Ops", ContactEmail: "ops@example.com", ContactMobile: "+86 135-0000-1111", Area: "CN"})
	}
	data, err := json.Marshal(resp)
	if err != nil {
		b.Fatal(err)
	}
	decode := func(fast bool) func(b *testing.B) {
		return func(b *testing.B) {
			lenient.SetFastPath(fast)
			defer lenient.SetFastPath(true)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				var got api.ServersResponse
				if err := lenient.Unmarshal(data, &got); err != nil || len(got.Servers) != 10_000 {
					b.Fatalf("%d servers, %v", len(got.Servers), err)
				}
			}
			reportCPU(b, cputime.Process()-cpu)
		}
	}
	b.Run("fast", decode(true))
	b.Run("general", decode(false))
	b.Run("encoding-json-plain", func(b *testing.B) {
		type record struct {
			ServerID      string `json:"serverId"`
			ServerName    string `json:"serverName"`
			ProductType   string `json:"productType"`
			ServerAddress string `json:"serverAddress"`
			Status        int    `json:"status"`
			ContactName   string `json:"contactName"`
			ContactEmail  string `json:"contactEmail"`
			ContactMobile string `json:"contactMobile"`
			Area          string `json:"area"`
		}
		var plain struct {
			Code       string   `json:"code"`
			Error      string   `json:"error"`
			Servers    []record `json:"servers"`
			ServerTime int64    `json:"serverTime"`
		}
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		cpu := cputime.Process()
		for b.Loop() {
			if err := json.Unmarshal(data, &plain); err != nil || len(plain.Servers) != 10_000 {
				b.Fatalf("%d servers, %v", len(plain.Servers), err)
			}
		}
		reportCPU(b, cputime.Process()-cpu)
	})
}

// reportCPU adds the CPU time per decoding, garbage collection included:
// steadier than wall time on a loaded machine.
func reportCPU(b *testing.B, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}
