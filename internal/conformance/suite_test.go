package conformance_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/imictl/imictl/internal/conformance"
	"github.com/imictl/imictl/internal/conformance/conformancetest"
)

func run(t *testing.T, cfg conformance.Config) *conformance.Report {
	t.Helper()
	rep, err := conformance.Run(context.Background(), cfg, conformance.Cases())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// byStatus is the ids of the results with status s.
func byStatus(rep *conformance.Report, s conformance.Status) []string {
	ids := []string{}
	for _, r := range rep.Results {
		if r.Status == s {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func TestReferenceServerPasses(t *testing.T) {
	ref := conformancetest.Start(t)
	rep := run(t, ref.Config(t, "suite"))
	for _, r := range rep.Results {
		if r.Status != conformance.Pass {
			t.Errorf("%s %s: %s", r.Status, r.ID, r.Detail)
		}
	}
	if rep.Target.ServerID != ref.IMID {
		t.Errorf("learned target %q, want %q", rep.Target.ServerID, ref.IMID)
	}
	if len(rep.Results) != len(conformance.Cases()) || !rep.OK() {
		t.Errorf("%d results of %d cases: %s", len(rep.Results), len(conformance.Cases()), rep.Summary())
	}
}

func TestWithoutTestDataCasesAreSkipped(t *testing.T) {
	ref := conformancetest.Start(t)
	cfg := ref.Config(t, "suite")
	cfg.User, cfg.Group = "", ""
	rep := run(t, cfg)
	if !rep.OK() || rep.Skipped == 0 || rep.Passed == 0 {
		t.Fatalf("want passes and skips only: %s", rep.Summary())
	}
	for _, r := range rep.Results {
		if r.Status == conformance.Skip && !strings.Contains(r.Detail, "--user") && !strings.Contains(r.Detail, "--group") {
			t.Errorf("%s skipped without saying how to provide its test data: %q", r.ID, r.Detail)
		}
	}
}

// front is a faulty server made of the reference one: it passes every
// request on and lets fault change the answer.
type front struct {
	target string
	fault  func(req *http.Request, status int, h http.Header, body []byte) (int, http.Header, []byte)
}

func (f *front) start(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: f}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	out, _ := http.NewRequestWithContext(r.Context(), r.Method, f.target+r.URL.RequestURI(), bytes.NewReader(body))
	out.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	status, h, rb := f.fault(r, resp.StatusCode, resp.Header, rb)
	for k, v := range h {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(status)
	w.Write(rb)
}

// TestReplayAcceptedFails runs the suite against a server that answers a
// replayed request as it answered the original: exactly the replay case
// fails.
func TestReplayAcceptedFails(t *testing.T) {
	ref := conformancetest.Start(t)
	type reply struct {
		status int
		h      http.Header
		body   []byte
	}
	var mu sync.Mutex
	seen := map[string]reply{}
	f := &front{target: ref.IMURL, fault: func(req *http.Request, status int, h http.Header, body []byte) (int, http.Header, []byte) {
		mu.Lock()
		defer mu.Unlock()
		sig := req.Header.Get("Signature")
		if first, ok := seen[sig]; ok && sig != "" {
			return first.status, first.h, first.body
		}
		seen[sig] = reply{status, h, body}
		return status, h, body
	}}
	cfg := ref.Config(t, "suite")
	cfg.Target.BaseURL = f.start(t)
	rep := run(t, cfg)
	if got := byStatus(rep, conformance.Fail); len(got) != 1 || got[0] != "sec.replay" {
		t.Fatalf("failed %v, want exactly [sec.replay]", got)
	}
	for _, r := range rep.Results {
		if r.ID == "sec.replay" && !strings.Contains(r.Detail, "want HTTP 401 with reason replay, got HTTP 200") {
			t.Errorf("sec.replay detail: %s", r.Detail)
		}
	}
}

// TestCodeAsStringFails runs the suite against a server whose S8 answers
// carry code as a string ("0"), signed correctly: exactly the S8 case
// fails, and the S3 search, which needs S8's record, is skipped.
func TestCodeAsStringFails(t *testing.T) {
	ref := conformancetest.Start(t)
	signer := ref.Signer(t)
	f := &front{target: ref.IMURL, fault: func(req *http.Request, status int, h http.Header, body []byte) (int, http.Header, []byte) {
		if req.URL.Path != "/sns/users" || status != http.StatusOK {
			return status, h, body
		}
		body = bytes.Replace(body, []byte(`"code":0`), []byte(`"code":"0"`), 1)
		if err := signer.SignResponse(h, status, body, req); err != nil {
			t.Error(err)
		}
		return status, h, body
	}}
	cfg := ref.Config(t, "suite")
	cfg.Target.BaseURL = f.start(t)
	rep := run(t, cfg)
	if got := byStatus(rep, conformance.Fail); len(got) != 1 || got[0] != "S8.user" {
		t.Fatalf("failed %v, want exactly [S8.user]", got)
	}
	if got := byStatus(rep, conformance.Skip); len(got) != 1 || got[0] != "S3.find" {
		t.Errorf("skipped %v, want [S3.find]", got)
	}
	for _, r := range rep.Results {
		if r.ID == "S8.user" && !strings.Contains(r.Detail, `code is "0": under /sns/ the envelope's code is a JSON number`) {
			t.Errorf("S8.user detail: %s", r.Detail)
		}
	}
}

func TestJUnitIsWellFormed(t *testing.T) {
	rep := &conformance.Report{
		Target: conformance.Target{ServerID: "x-im", BaseURL: "http://127.0.0.1:1"},
		Results: []conformance.Result{
			{ID: "a.pass", Area: "a", Title: "passes", Status: conformance.Pass},
			{ID: "a.fail", Area: "a", Title: "fails <&>", Status: conformance.Fail, Detail: "got \x00\x1b[31m \"quoted\" ]]> <tag>"},
			{ID: "b.skip", Area: "b", Title: "skips", Status: conformance.Skip, Detail: "needs --user"},
		},
		Passed: 1, Failed: 1, Skipped: 1,
	}
	var buf bytes.Buffer
	if err := conformance.WriteJUnit(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	d := xml.NewDecoder(&buf)
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, buf.String())
	}
	if doc.Tests != 3 || doc.Failures != 1 || doc.Skipped != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 3 {
		t.Fatalf("parsed %+v", doc)
	}
	cs := doc.Suites[0].Cases
	if cs[0].Failure != nil || cs[0].Skipped != nil || cs[1].Failure == nil || cs[2].Skipped == nil {
		t.Errorf("statuses: %+v", cs)
	}
	if cs[1].Classname != "conformance.a" || !strings.Contains(cs[1].Failure.Message, `"quoted" ]]> <tag>`) {
		t.Errorf("failure: %+v", cs[1])
	}
	if cs[2].Skipped.Message != "needs --user" {
		t.Errorf("skip: %+v", cs[2])
	}
}
