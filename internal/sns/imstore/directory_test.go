package imstore

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestDirectory(t *testing.T) {
	s, c := openTest(t)
	if cur, err := s.DirectoryCursor(); err != nil || cur != 0 {
		t.Fatalf("fresh cursor: %d %v", cur, err)
	}
	must(t, s.PutDirectory([]DirEntry{{ServerID: "beta", Address: "http://127.0.0.1:9001"}, {ServerID: "alpha"}}, 1000))
	c.Add(time.Second)
	must(t, s.PutDirectory([]DirEntry{{ServerID: "beta", Address: "http://127.0.0.1:9002", Status: 1}}, 2000))
	if cur, _ := s.DirectoryCursor(); cur != 2000 {
		t.Fatalf("cursor %d", cur)
	}
	e, err := s.GetDirEntry("beta")
	if err != nil || e.Address != "http://127.0.0.1:9002" || e.Status != 1 || !e.UpdatedAt.Equal(c.Now()) {
		t.Fatalf("GetDirEntry: %+v %v", e, err)
	}
	list, err := s.ListDirectory()
	if err != nil || len(list) != 2 || list[0].ServerID != "alpha" {
		t.Fatalf("ListDirectory: %+v %v", list, err)
	}
	checkRefusals(t, s, []refusal{
		{"bad entry refuses the whole answer", func() error {
			return s.PutDirectory([]DirEntry{{ServerID: "gamma"}, {ServerID: "de.lta"}}, 3000)
		}, ErrInvalid, "directory entry 2: invalid serverId"},
		{"negative time", func() error { return s.PutDirectory(nil, -1) }, ErrInvalid, "invalid serverTime: -1 is negative"},
		{"huge certificate", func() error {
			return s.PutDirectory([]DirEntry{{ServerID: "gamma", CertPEM: strings.Repeat("x", maxCertPEM+1)}}, 3000)
		}, ErrInvalid, "invalid certPEM"},
	})
	if _, err := s.GetDirEntry("gamma"); err == nil || !strings.Contains(err.Error(), `no directory entry "gamma"`) {
		t.Fatalf("missing: %v", err)
	}
}

func TestPolicy(t *testing.T) {
	s, c := openTest(t)
	p, err := s.GetPolicy()
	if err != nil || fmt.Sprint(p.Allow, p.Deny) != "[] []" {
		t.Fatalf("default policy: %+v %v", p, err)
	}
	p, err = s.SetPolicy(Policy{Allow: []string{"gamma", "beta", "gamma"}, Deny: []string{"Evil.Example.com:443"}})
	if err != nil || fmt.Sprint(p.Allow, p.Deny) != "[beta gamma] [evil.example.com:443]" || !p.UpdatedAt.Equal(c.Now()) {
		t.Fatalf("SetPolicy: %+v %v", p, err)
	}
	got, err := s.GetPolicy()
	if err != nil || fmt.Sprint(got) != fmt.Sprint(p) {
		t.Fatalf("GetPolicy: %+v %v", got, err)
	}
	checkRefusals(t, s, []refusal{
		{"both lists", func() error {
			_, err := s.SetPolicy(Policy{Allow: []string{"beta"}, Deny: []string{"beta"}})
			return err
		}, ErrInvalid, "beta is both allowed and denied; remove it from one list"},
		{"bad id", func() error { _, err := s.SetPolicy(Policy{Deny: []string{"a b"}}); return err }, ErrInvalid, "invalid deny"},
	})
}
