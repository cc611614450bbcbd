package httpsig

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
)

// The benchmarks put our layer next to the SM2 operation it wraps: compare
// BenchmarkSignRequest1KiB with BenchmarkRawSM2Sign, and
// BenchmarkVerifyRequest1KiB with BenchmarkRawSM2Verify (same key, a
// signature base of the same length).

var body1KiB = bytes.Repeat([]byte("x"), 1024)

func benchRequest(b *testing.B, s *Signer) *http.Request {
	req := newRequest(b, http.MethodPost, chatURL, body1KiB)
	if err := s.SignRequest(req, "server-b"); err != nil {
		b.Fatal(err)
	}
	return req
}

// rawBase is a signature base of a 1 KiB request, as the raw benchmarks sign.
func rawBase(b *testing.B, f *fixture) []byte {
	req := benchRequest(b, f.a)
	sig, err := parseSignature(req.Header)
	if err != nil {
		b.Fatal(err)
	}
	base, err := signatureBase(requestMessage(req.Method, req.URL, req.Header), &sig.params)
	if err != nil {
		b.Fatal(err)
	}
	return base
}

func BenchmarkRawSM2Sign(b *testing.B) {
	f := newFixture(b)
	base := rawBase(b, f)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := sm2.SignASN1(rand.Reader, f.a.key, base, sm2.DefaultSM2SignerOpts); err != nil {
			b.Fatal(err)
		}
	}
}

// The raw benchmarks above sign only the signature base (about 560 bytes,
// which carries the body's digest, not the body). A minimal scheme that
// authenticates the same request without our layer would still have to
// hash the body: it signs the 1 KiB body followed by the base. These two
// are that floor.

func BenchmarkRawSM2SignBodyAndBase(b *testing.B) {
	f := newFixture(b)
	msg := append(bytes.Clone(body1KiB), rawBase(b, f)...)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := sm2.SignASN1(rand.Reader, f.a.key, msg, sm2.DefaultSM2SignerOpts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawSM2VerifyBodyAndBase(b *testing.B) {
	f := newFixture(b)
	msg := append(bytes.Clone(body1KiB), rawBase(b, f)...)
	sig, _ := sm2.SignASN1(rand.Reader, f.a.key, msg, sm2.DefaultSM2SignerOpts)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if !sm2.VerifyASN1WithSM2(&f.a.key.PublicKey, nil, msg, sig) {
			b.Fatal("no")
		}
	}
}

func BenchmarkRawSM2Verify(b *testing.B) {
	f := newFixture(b)
	base := rawBase(b, f)
	sig, _ := sm2.SignASN1(rand.Reader, f.a.key, base, sm2.DefaultSM2SignerOpts)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if !sm2.VerifyASN1WithSM2(&f.a.key.PublicKey, nil, base, sig) {
			b.Fatal("no")
		}
	}
}

// batch is how many requests the benchmarks below prepare at a time, with
// the timer stopped. Preparing all b.N up front would keep hundreds of
// megabytes alive, and the garbage collection and page faults this causes
// would be charged to the code under test (it inflated both figures by
// several microseconds).
const batch = 128

// BenchmarkSignRequest1KiB: digest, nonce, parameters, base and SM2 sign.
func BenchmarkSignRequest1KiB(b *testing.B) {
	f := newFixture(b)
	reqs := make([]*http.Request, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%batch == 0 {
			b.StopTimer()
			for j := range reqs {
				reqs[j] = newRequest(b, http.MethodPost, chatURL, body1KiB)
			}
			b.StartTimer()
		}
		if err := f.a.SignRequest(reqs[i%batch], "server-b"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRequest1KiB: every check of Middleware on fresh requests,
// from parsing to the replay cache, with the directory record and the
// certificate verification cached as in steady state.
func BenchmarkVerifyRequest1KiB(b *testing.B) {
	f := newFixture(b)
	o := f.options("server-b")
	o.Skew = time.Hour // the requests are signed before the clock starts
	v := mustVerifier(b, o)
	if _, _, e := v.verifyRequest(benchRequest(b, f.a)); e != nil { // warm the certificate cache
		b.Fatal(e)
	}
	reqs := make([]*http.Request, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%batch == 0 {
			b.StopTimer()
			for j := range reqs {
				reqs[j] = benchRequest(b, f.a)
			}
			b.StartTimer()
		}
		if _, _, e := v.verifyRequest(reqs[i%batch]); e != nil {
			b.Fatal(e)
		}
	}
}
